/** Render contexts for the eni tests: the real fixture models and the debian distro from the registry. */
import type { RenderContext } from '../../src/backends/backend.js';
import { capabilitiesOf } from '../../src/distros/distro.js';
import { getDistro } from '../../src/distros/registry.js';
import { fixtureModel, type FixtureName } from '../support/fixtures.js';

export async function eniContext(name: FixtureName): Promise<RenderContext> {
  const distro = getDistro('debian');
  return { model: fixtureModel(name), distro, caps: capabilitiesOf(distro) };
}

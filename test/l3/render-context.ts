/** Render contexts for the eni tests: the real fixture models and the debian distro from the registry. */
import { renderContext, type RenderContext } from '../../src/backends/backend.js';
import { getDistro } from '../../src/distros/registry.js';
import { fixtureModel, type FixtureName } from '../support/fixtures.js';

export async function eniContext(name: FixtureName): Promise<RenderContext> {
  const distro = getDistro('debian');
  return renderContext(fixtureModel(name), distro);
}

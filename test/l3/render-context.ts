/**
 * Render contexts for the eni tests: the real fixture models and the debian
 * distro from the registry when it exists, else a stand-in with the fields
 * the eni backend reads.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RenderContext } from '../../src/backends/backend.js';
import { capabilitiesOf, type Distro } from '../../src/distros/distro.js';
import type { Model } from '../../src/model/model.js';
import { fixtureModel, type FixtureName } from '../support/fixtures.js';

const registryPath = fileURLToPath(new URL('../../src/distros/registry.ts', import.meta.url));

const STAND_IN: Distro = {
  name: 'debian',
  family: 'debian',
  release: '12',
  description: 'Debian 12 (bookworm) stand-in',
  defaultBackend: 'eni',
  backends: ['eni', 'networkd'],
  packageFormat: 'deb',
  versions: { systemd: 252, iproute2: '6.1.0' },
  paths: { hooks: '/usr/sbin', networkScripts: '/etc/network', libexec: '/usr/libexec/mpgen', units: '/usr/lib/systemd/system' },
};

export async function debianDistro(): Promise<Distro> {
  if (existsSync(registryPath)) {
    const reg = (await import('../../src/distros/registry.js' as string)) as { getDistro: (n: string) => Distro };
    return reg.getDistro('debian');
  }
  return STAND_IN;
}

export async function eniContext(name: FixtureName): Promise<RenderContext> {
  const model: Model = fixtureModel(name);
  const distro = await debianDistro();
  return { model, distro, caps: capabilitiesOf(distro) };
}

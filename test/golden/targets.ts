import { distroNames } from '../../src/distros/registry.js';

/** Every distro with its default backend, plus the alternatives users are told about. */
export const GOLDEN_TARGETS: Array<{ distro: string; backend?: string; dir: string }> = [
  ...distroNames().map((d) => ({ distro: d, dir: d })),
  { distro: 'rhel', backend: 'ifcfg', dir: 'rhel-ifcfg' },
  { distro: 'fedora', backend: 'nm', dir: 'fedora-nm' },
  { distro: 'debian', backend: 'networkd', dir: 'debian-networkd' },
  { distro: 'debian', backend: 'netplan', dir: 'debian-netplan' },
];

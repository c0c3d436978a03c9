/**
 * The default backend of each distro is one that something on that release reads: NetworkManager
 * keyfiles on RHEL 9 and its rebuilds (no network-scripts there), ifcfg on RHEL 8 (network-scripts
 * installable) and on fedora (kept on purpose, with the note that says who reads the files).
 */
import { describe, expect, it } from 'vitest';
import { getDistro } from '../../src/distros/registry.js';
import { fixturePath } from '../support/fixtures.js';
import { mpgen } from '../support/cli.js';

describe('default backend per distro', () => {
  it.each(['rhel', 'alma', 'rocky', 'centos'])('%s defaults to NetworkManager keyfiles', (d) => {
    expect(getDistro(d).defaultBackend).toBe('nm');
    expect(getDistro(d).backends).toContain('ifcfg');
  });
  it.each(['fedora', 'rhel8'])('%s keeps ifcfg', (d) => {
    expect(getDistro(d).defaultBackend).toBe('ifcfg');
  });

  it('mpgen render --distro rhel renders keyfiles and no ifcfg note', () => {
    const r = mpgen(['render', '--distro', 'rhel', '-p', fixturePath('seed001-multipath'), '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\/etc\/NetworkManager\/system-connections\//);
    expect(r.stdout).not.toMatch(/network-scripts\/ifcfg-/);
    expect(r.stderr).not.toMatch(/nothing will read these files/);
  });

  it('mpgen render --distro fedora keeps ifcfg and its hooks, and says who reads them', () => {
    const r = mpgen(['render', '--distro', 'fedora', '-p', fixturePath('seed001-multipath'), '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/network-scripts\/ifcfg-/);
    expect(r.stdout).toMatch(/\/usr\/sbin\/ifup-local$/m);
    expect(r.stderr).toMatch(/read by initscripts \(package network-scripts\)/);
  });

  it('mpgen render --distro rhel --backend ifcfg still works', () => {
    const r = mpgen(['render', '--distro', 'rhel', '--backend', 'ifcfg', '-p', fixturePath('seed001-multipath'), '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/network-scripts\/ifcfg-/);
  });
});

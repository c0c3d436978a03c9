/**
 * One packager registry behind `mpgen package`, its --batch mode and the
 * distros' package_format: every format is offered, described and built the
 * same way by the single and the batch path, and written atomically by both.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distroNames, getDistro } from '../../src/distros/registry.js';
import { FORMAT_OUTPUTS, PACKAGE_FORMATS } from '../../src/base/package-formats.js';
import { PACKAGERS } from '../../src/pack/registry.js';
import { fixturePath } from '../support/fixtures.js';
import { mpgen } from '../support/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'mpgen-registry-'));
const PROFILE = fixturePath('seed001-multipath');

describe('packager registry', () => {
  it('implements exactly the formats listed, and every distro names one of them', () => {
    expect(Object.keys(PACKAGERS).sort()).toEqual([...PACKAGE_FORMATS].sort());
    for (const f of PACKAGE_FORMATS) expect(PACKAGERS[f].format).toBe(f);
    for (const d of distroNames()) expect(PACKAGE_FORMATS).toContain(getDistro(d).packageFormat);
  });

  it('--help lists every format with what it writes; an unknown format names the choices', () => {
    const help = mpgen(['package', '--help']).stdout;
    for (const f of PACKAGE_FORMATS) expect(help).toContain(`${f.padEnd(4)} ${FORMAT_OUTPUTS[f]}`);
    const bad = mpgen(['package', '--distro', 'debian', '--format', 'zip', '-p', PROFILE]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`expected ${PACKAGE_FORMATS.slice(0, -1).join(', ')} or ${PACKAGE_FORMATS.at(-1)}`);
  });

  for (const format of PACKAGE_FORMATS)
    it(`${format}: the single and the batch path write the same files, byte for byte`, () => {
      const cwd = tmp();
      mkdirSync(join(cwd, 'in'));
      writeFileSync(join(cwd, 'in/branch.yaml'), readFileSync(PROFILE));
      const single = mpgen(['package', '--distro', 'debian', '--format', format, '-p', 'in/branch.yaml', '-o', 'one'], { cwd });
      expect(single.code, single.stderr).toBe(0);
      const batch = mpgen(['package', '--distro', 'debian', '--format', format, '--batch', 'in', '-o', 'many', '--jobs', '0'], { cwd });
      expect(batch.code, batch.stderr).toBe(0);
      const one = readdirSync(join(cwd, 'one')).sort();
      expect(one.length).toBe(format === 'rpm' ? 2 : 1);
      expect(readdirSync(join(cwd, 'many')).sort()).toEqual(one);
      for (const f of one) expect(readFileSync(join(cwd, 'many', f)).equals(readFileSync(join(cwd, 'one', f))), f).toBe(true);
    });

  it('the single package replaces its file atomically: a symlink in its place is replaced, not written through', () => {
    const cwd = tmp();
    mkdirSync(join(cwd, 'out'));
    writeFileSync(join(cwd, 'victim'), 'keep me');
    const name = 'mpgen-branch_0.1.0_all.deb';
    symlinkSync(join(cwd, 'victim'), join(cwd, 'out', name));
    const r = mpgen(['package', '--distro', 'debian', '--format', 'deb', '-p', PROFILE, '-o', 'out'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(join('out', name));
    expect(readFileSync(join(cwd, 'victim'), 'utf8')).toBe('keep me');
    expect(lstatSync(join(cwd, 'out', name)).isSymbolicLink()).toBe(false);
    expect(readdirSync(join(cwd, 'out'))).toEqual([name]);
  });
});

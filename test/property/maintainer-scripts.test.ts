/**
 * Property: the maintainer scripts of every package shape (package-shapes.ts)
 * parse under dash, bash and busybox sh and pass shellcheck, for both the
 * .deb (postinst, prerm, postrm) and the .rpm (%post, %preun, %postun). The
 * lifecycle of the shapes with nothing to enable runs for real in
 * test/pack/shape-lifecycle.test.ts. The tarball's install.sh and
 * uninstall.sh are checked with them.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installScript, uninstallScript } from '../../src/pack/bundle.js';
import { maintainerScripts } from '../../src/pack/deb.js';
import { resolveMeta } from '../../src/pack/meta.js';
import { rpmScripts } from '../../src/pack/rpm.js';
import { missing } from '../support/require.js';
import { packageShapes } from './package-shapes.js';

const why = missing({ commands: ['shellcheck', 'dash', 'bash', 'busybox'] });

describe.skipIf(why)('maintainer scripts of every package shape', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpgen-shapes-'));
  /** script path -> the shapes and scripts that have this content */
  const scripts = new Map<string, string[]>();
  const seen = { shapes: 0, nothingToEnable: 0, noSysctl: 0, placed: 0 };
  for (const s of packageShapes()) {
    seen.shapes++;
    if (s.plan.enable.length === 0) seen.nothingToEnable++;
    if (s.plan.sysctlFiles.length === 0) seen.noSysctl++;
    // ifcfg: the .rpm scriptlets put the files whose names initscripts fixes in place
    if (s.plan.files.some((f) => f.fixedName)) seen.placed++;
    const m = resolveMeta(s.plan, s.model.package, { env: {} });
    const all = { ...maintainerScripts(s.plan, m), ...rpmScripts(s.plan, m) };
    for (const [name, body] of Object.entries(all)) {
      const p = join(dir, `${createHash('sha256').update(body).digest('hex').slice(0, 16)}.sh`);
      if (!scripts.has(p)) {
        writeFileSync(p, body);
        scripts.set(p, []);
      }
      scripts.get(p)!.push(`${s.label} ${name}`);
    }
  }
  // The tarball's install.sh and uninstall.sh are the same for every shape: they read its MANIFEST.
  for (const [name, body] of Object.entries({ 'install.sh': installScript(), 'uninstall.sh': uninstallScript() })) {
    const p = join(dir, name);
    writeFileSync(p, body);
    scripts.set(p, [`tar ${name}`]);
  }
  const where = (p: string): string => `${scripts.get(p)![0]}${scripts.get(p)!.length > 1 ? ` (+${scripts.get(p)!.length - 1})` : ''}`;

  it('covers the shapes with nothing to enable, for every firewall, keepalive and mode', () => {
    expect(seen.shapes).toBeGreaterThan(100);
    expect(seen.nothingToEnable).toBeGreaterThan(0);
  });

  it('covers the ifcfg shapes, whose %posttrans and %postun put staged files in place and take them away', () => {
    expect(seen.placed).toBeGreaterThan(0);
    expect([...scripts.values()].flat().some((w) => /^fedora\/teql\/.* posttrans$/.test(w))).toBe(true);
  });

  for (const shell of [['dash'], ['bash'], ['busybox', 'sh']]) {
    it(`every script parses with ${shell.join(' ')} -n`, () => {
      const problems: string[] = [];
      for (const p of scripts.keys()) {
        const r = spawnSync(shell[0]!, [...shell.slice(1), '-n', p], { encoding: 'utf8' });
        if (r.status !== 0) problems.push(`${where(p)}: ${r.stderr.trim()}`);
      }
      expect(problems).toEqual([]);
    });
  }

  it('every script passes shellcheck -s sh', () => {
    const paths = [...scripts.keys()];
    const problems: string[] = [];
    for (let k = 0; k < paths.length; k += 50) {
      const r = spawnSync('shellcheck', ['-s', 'sh', '-f', 'gcc', ...paths.slice(k, k + 50)], { encoding: 'utf8' });
      for (const line of `${r.stdout}${r.stderr}`.split('\n').filter(Boolean)) problems.push(`${where(line.split(':')[0]!)}: ${line}`);
    }
    expect(problems).toEqual([]);
  });
});

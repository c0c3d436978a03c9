/**
 * bin/mpgen, the command npm links: a POSIX sh launcher that follows its symlinks to the
 * checkout and starts Node without NODE_EXTRA_CA_CERTS (docs/performance.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO } from '../support/cli.js';
import { missing } from '../support/require.js';

const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; bin: { mpgen: string } };
const VERSION = PKG.version;
const noShells = missing({ commands: ['dash', 'bash', 'busybox', 'shellcheck'] });

describe('bin/mpgen launcher', () => {
  it('is what package.json links as the mpgen command', () => {
    expect(join(REPO, PKG.bin.mpgen)).toBe(BIN);
  });

  // skipIf: outside CI only, when dash, bash, busybox or shellcheck is missing (missing() throws under CI)
  it.skipIf(noShells)('is shellcheck-clean and runs under dash, bash and busybox sh', () => {
    const sc = spawnSync('shellcheck', ['-s', 'sh', BIN], { encoding: 'utf8' });
    expect(sc.stdout + sc.stderr).toBe('');
    expect(sc.status).toBe(0);
    const shells: [string, string[]][] = [['dash', []], ['bash', ['--posix']], ['busybox', ['sh']]];
    for (const [sh, opts] of shells) {
      const r = spawnSync(sh, [...opts, BIN, '--version'], { encoding: 'utf8' });
      expect(r.stdout, sh).toBe(`${VERSION}\n`);
      expect(r.status, sh).toBe(0);
    }
  });

  it('follows a chain of absolute and relative symlinks, as npm and /usr/local/bin make them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpgen-launcher-'));
    mkdirSync(join(dir, 'lib'));
    mkdirSync(join(dir, 'bin'));
    // dir/lib/mpgen -> (relative) .../bin/mpgen of the checkout; dir/bin/mpgen -> (absolute) dir/lib/mpgen
    symlinkSync(relative(join(dir, 'lib'), BIN), join(dir, 'lib', 'mpgen'));
    symlinkSync(join(dir, 'lib', 'mpgen'), join(dir, 'bin', 'mpgen'));
    const direct = spawnSync(join(dir, 'bin', 'mpgen'), ['--version'], { encoding: 'utf8' });
    expect(direct.stderr).toBe('');
    expect(direct.stdout).toBe(`${VERSION}\n`);
    // found on PATH, from another working directory
    const viaPath = spawnSync('mpgen', ['--version'], { encoding: 'utf8', cwd: tmpdir(), env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` } });
    expect(viaPath.stdout).toBe(`${VERSION}\n`);
    // run as `sh mpgen` from its own directory ($0 without a slash)
    const bare = spawnSync('sh', ['mpgen', '--version'], { encoding: 'utf8', cwd: join(dir, 'bin') });
    expect(bare.stdout).toBe(`${VERSION}\n`);
  });

  it('starts Node without NODE_EXTRA_CA_CERTS, which node bin/mpgen.cjs still reads at start', () => {
    // A bundle that cannot be read makes Node warn before any JavaScript runs: the warning
    // shows whether Node looked at the variable at all.
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/mpgen-test-ca.pem' };
    const plain = spawnSync(process.execPath, [join(REPO, 'bin', 'mpgen.cjs'), '--version'], { encoding: 'utf8', env });
    expect(plain.stderr).toContain('Ignoring extra certs from `/nonexistent/mpgen-test-ca.pem`');
    const launched = spawnSync(BIN, ['--version'], { encoding: 'utf8', env });
    expect(launched.stderr).toBe('');
    expect(launched.stdout).toBe(`${VERSION}\n`);
  });
});

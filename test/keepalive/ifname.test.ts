/**
 * The interface-name pattern has one definition, IFNAME_RE in the profile
 * schema; the keepalive's .conf writer (src/backends/keepalive.ts) uses it, and
 * the daemon's is_ifname (src/keepalive/sh/10-config.sh), which cannot run a
 * JavaScript pattern, is shown to agree with it: on hand-picked edge cases and
 * on fast-check's names over the allowed characters and some others, under
 * dash, bash and busybox sh.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IFNAME_RE } from '../../src/profile/schema.js';
import { missing } from '../support/require.js';
import { SEED } from '../property/profile-text.js';
import { SHELLS, configOf, labModel } from './lab.js';

const CONFIG_PART = fileURLToPath(new URL('../../src/keepalive/sh/10-config.sh', import.meta.url));

const EDGES = [
  ...['', '.', '..', '...', '.a', 'a.', '-', '-a', 'a-', '_', '__', 'all', 'default', 'All', 'DEFAULT', 'alla', 'xall', 'default0', 'defaul'],
  ...['eth0', 'enp3s0f1', 'br-lan.10', 'wg_0', 'teql0', 'a', 'a'.repeat(15), 'a'.repeat(16), '1'.repeat(15), `-${'a'.repeat(14)}`],
  ...['eth 0', ' eth0', 'eth0 ', 'eth\t0', 'eth*', 'eth?', '[a]', 'e/0', 'e:0', 'e@0', 'e$0', '$(x)', '`x`', 'e\\0', 'é', 'eth0é', "e'0", 'e"0', 'e;0', 'e|0'],
];
const CHARS = [...'abcdeflntuxyzAZ09_.-', ...' *?[]!/:@$\\\'"é\t'];
const RANDOM = fc.sample(
  fc.oneof(
    fc.string({ unit: fc.constantFrom(...CHARS), minLength: 0, maxLength: 17 }),
    fc.string({ unit: fc.constantFrom(...'abcdeflntuxyzAZ09_.-'), minLength: 0, maxLength: 17 }),
    fc.constantFrom('all', 'default', '.', '..'),
    fc.string({ unit: fc.constantFrom('a', '.', '-', '_'), minLength: 0, maxLength: 4 }),
  ),
  { seed: SEED + 11, numRuns: 3000 },
);
const NAMES = [...new Set([...EDGES, ...RANDOM])];

const accepts = (name: string): boolean => IFNAME_RE.test(name);

describe('the interface-name pattern', () => {
  it('samples both sides of the definition', () => {
    const ok = NAMES.filter(accepts).length;
    expect(ok).toBeGreaterThan(300);
    expect(NAMES.length - ok).toBeGreaterThan(300);
    for (const n of ['.', '..', 'all', 'default', '-a', '', 'a'.repeat(16)]) expect(NAMES.filter((x) => !accepts(x))).toContain(n);
  });

  it('the .conf writer refuses exactly the names the schema refuses', () => {
    const m = labModel({ n: 2 });
    const wrong = NAMES.filter((name) => {
      const u = { ...m.uplinks[0]!, interface: name, device: name };
      let written: boolean;
      try {
        written = configOf({ ...m, uplinks: [u, m.uplinks[1]!] }).includes(`\nUPLINK_1_DEV=${name}\n`);
      } catch (e) {
        expect(String(e)).toMatch(/does not match the ifname pattern/);
        written = false;
      }
      return written !== accepts(name);
    });
    expect(wrong).toEqual([]);
  });

  const noShells = missing({ commands: ['dash', 'bash', 'busybox'] });
  it.skipIf(noShells !== undefined)('the daemon accepts exactly the names the schema accepts, under every shell', () => {
    const names = NAMES.filter((n) => !n.includes('\n'));
    const loop = '. "$1"; while IFS= read -r n; do if is_ifname "$n"; then echo 1; else echo 0; fi; done';
    for (const [shell, argv] of Object.entries(SHELLS)) {
      const r = spawnSync(argv[0]!, [...argv.slice(1), '-c', loop, 'sh', CONFIG_PART], { input: names.join('\n') + '\n', encoding: 'utf8' });
      expect(r.stderr, shell).toBe('');
      const got = r.stdout.split('\n').slice(0, -1);
      expect(got.length, shell).toBe(names.length);
      const wrong = names.filter((n, i) => (got[i] === '1') !== accepts(n)).map((n) => `${JSON.stringify(n)}: schema ${accepts(n) ? 'accepts' : 'refuses'}`);
      expect(wrong, shell).toEqual([]);
    }
  });
});

/**
 * Property: a render --batch killed (SIGKILL) at any moment leaves every earlier tree in place,
 * or moved aside whole where the next run renames it back; after that next run's recovery no
 * staging directory remains, and every tree is exactly one of the two renders (old or new).
 * Real kills of the built CLI at random delays over a whole run, alternating the distro so
 * every run rewrites every tree, in one thread and in worker threads.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recoverInterrupted } from '../../src/write/interrupted.js';
import { BIN, REPO } from '../support/cli.js';
import { FIXTURES, fixturePath } from '../support/fixtures.js';
import { SEED } from './profile-text.js';

/** Kills per CI run; scripts/property-long.mjs may raise it through MPGEN_KILL_RUNS. */
const KILL_RUNS = Number(process.env.MPGEN_KILL_RUNS ?? 30);
const SITES = 80;
const DISTROS = ['debian', 'ubuntu'] as const;

/** A tree as a comparable value: every path under it with its bytes. */
function signature(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `${join(e.parentPath, e.name).slice(dir.length)}\n${readFileSync(join(e.parentPath, e.name), 'utf8')}`)
    .sort()
    .join('\0');
}

const args = (input: string, distro: string, out: string, jobs: string): string[] => ['render', '--batch', input, '--name-by', 'stem', '--distro', distro, '-o', out, '--jobs', jobs];

/** Runs the CLI and kills it `delayMs` after its first line on stdout (the first tree written), while it writes the others. */
function killWhileWriting(argv: string[], delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(BIN, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] });
    let timer: NodeJS.Timeout | undefined;
    child.stdout.once('data', () => {
      timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stdout.resume();
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe(`${KILL_RUNS} SIGKILLs during render --batch`, () => {
  it('every earlier tree stays or comes back whole; the next run leaves no staging directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpgen-kills-'));
    const input = join(dir, 'in');
    mkdirSync(input);
    const sites = Array.from({ length: SITES }, (_, i) => `site-${String(i).padStart(2, '0')}`);
    sites.forEach((s, i) => copyFileSync(fixturePath(FIXTURES[i % FIXTURES.length]!), join(input, `${s}.yaml`)));
    // the two trees each site may hold: rendered once per distro
    const allowed = new Map<string, Set<string>>(sites.map((s) => [s, new Set<string>()]));
    for (const distro of DISTROS) {
      const r = spawnSync(BIN, args(input, distro, join(dir, distro), '2'), { cwd: REPO, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      for (const s of sites) allowed.get(s)!.add(signature(join(dir, distro, s)));
    }
    const out = join(dir, 'out');
    // how long a run writes after its first tree: the kills land anywhere in that span, or just after
    const t0 = Date.now();
    let writingMs = 0;
    await new Promise<void>((resolve) => {
      const child = spawn(BIN, args(input, 'debian', out, '0'), { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] });
      let first = 0;
      child.stdout.once('data', () => (first = Date.now()));
      child.stdout.resume();
      child.on('exit', () => {
        writingMs = Date.now() - (first || t0);
        resolve();
      });
    });
    expect(readdirSync(out).sort()).toEqual(sites);

    const seen = { kills: 0, leftovers: 0, aside: 0 };
    let turn = 0;
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), async (at, threads) => {
        seen.kills++;
        const distro = DISTROS[turn++ % 2]!;
        await killWhileWriting(args(input, distro, out, threads ? '2' : '0'), Math.round(at * writingMs * 1.2));
        const problems: string[] = [];
        const names = readdirSync(out);
        if (names.some((n) => n.includes('.mpgen-'))) seen.leftovers++;
        for (const s of sites) {
          if (names.includes(s)) {
            if (!allowed.get(s)!.has(signature(join(out, s)))) problems.push(`${s}: neither the old nor the new tree`);
            continue;
          }
          const aside = names.filter((n) => n.startsWith(`.${s}.mpgen-old-`));
          if (aside.length !== 1) problems.push(`${s}: missing, and ${aside.length} trees moved aside`);
          else seen.aside++;
        }
        // what the next run does before it writes
        recoverInterrupted(out);
        const after = readdirSync(out);
        const left = after.filter((n) => n.includes('.mpgen-'));
        if (left.length) problems.push(`left after recovery: ${left.join(' ')}`);
        for (const s of sites) {
          if (!existsSync(join(out, s))) problems.push(`${s}: missing after recovery`);
          else if (!allowed.get(s)!.has(signature(join(out, s)))) problems.push(`${s}: after recovery neither the old nor the new tree`);
        }
        expect(problems).toEqual([]);
      }),
      { seed: SEED, numRuns: KILL_RUNS, endOnFailure: true },
    );
    expect(seen.kills).toBe(KILL_RUNS);
    // the kills are not all before or after the writing: some land in the middle of it
    expect(seen.leftovers, JSON.stringify(seen)).toBeGreaterThan(0);
    // and a whole run afterwards: exit 0, every tree the new one, nothing beside them
    const r = spawnSync(BIN, args(input, 'ubuntu', out, '2'), { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(sites);
    for (const s of sites) expect(signature(join(out, s))).toBe(signature(join(dir, 'ubuntu', s)));
  }, Math.max(300_000, KILL_RUNS * 5_000));
});

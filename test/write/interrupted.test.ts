/**
 * What a killed render leaves, put right by the next run: the states a SIGKILL can leave
 * between the steps of a swap, built here by hand with the pid of a process that has exited.
 * (test/property/batch-kills.test.ts kills real batch runs at random moments.)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../src/batch/run-batch.js';
import { renderPlan } from '../../src/plan/render.js';
import { recoverInterrupted } from '../../src/write/interrupted.js';
import { writePlanTree } from '../../src/write/write-tree.js';
import { mpgen } from '../support/cli.js';
import { fixtureModel, fixturePath } from '../support/fixtures.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'mpgen-interrupted-'));
/** the pid of a process that has exited */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;
const marker = (tree: string): string => readFileSync(join(tree, '.mpgen-tree'), 'utf8');
const leftovers = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.mpgen-'));

/** out/site holds an earlier tree; returns its marker */
function earlier(out: string, name = 'site'): string {
  writePlanTree(renderPlan(fixtureModel('seed001-multipath'), 'debian'), join(out, name));
  return marker(join(out, name));
}

describe('the next run puts right what a kill left', () => {
  it('killed between the two renames: the earlier tree is renamed back, the staged one removed (batch)', () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const before = earlier(out, 'site-18');
    const pid = deadPid();
    renameSync(join(out, 'site-18'), join(out, `.site-18.mpgen-old-${pid}-k1ll3d00`));
    cpSync(join(out, `.site-18.mpgen-old-${pid}-k1ll3d00`), join(out, `.site-18.mpgen-new-${pid}-k1ll3d00`), { recursive: true });
    // site-18 has left the batch: the run must not need to render it to bring it back
    mkdirSync(join(dir, 'in'));
    copyProfile(join(dir, 'in', 'other.yaml'));
    const r = mpgen(['render', '--batch', join(dir, 'in'), '--distro', 'debian', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`mpgen: restored ${join(out, 'site-18')}, which an interrupted run had moved aside`);
    expect(marker(join(out, 'site-18'))).toBe(before);
    expect(readdirSync(out).sort()).toEqual(['branch', 'site-18']);
  });

  it('killed between the two renames: a single render restores, then writes', () => {
    const dir = tmp();
    earlier(dir);
    const pid = deadPid();
    renameSync(join(dir, 'site'), join(dir, `.site.mpgen-old-${pid}-mhx0a1b2`));
    const r = mpgen(['render', '-p', fixturePath('seed003-teql'), '--distro', 'debian', '-o', join(dir, 'site')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`mpgen: restored ${join(dir, 'site')}, which an interrupted render had moved aside`);
    expect(readdirSync(dir)).toEqual(['site']);
  });

  it('killed while staging, or while removing the replaced tree: the leftovers go, the tree stays', () => {
    const dir = tmp();
    const before = earlier(dir);
    const pid = deadPid();
    mkdirSync(join(dir, `.site.mpgen-new-${pid}-aaaaaaaa`, 'etc'), { recursive: true });
    mkdirSync(join(dir, `.site.mpgen-old-${pid}-bbbbbbbb`, 'etc'), { recursive: true });
    writeFileSync(join(dir, `.site.mpgen-old-${pid}-bbbbbbbb`, 'etc', 'half'), 'x');
    // this process's own pid counts as gone: the run has not written yet (a container gives every run the same pid)
    mkdirSync(join(dir, `.site.mpgen-new-${process.pid}-cccccccc`));
    const rec = recoverInterrupted(dir);
    expect(rec.restored).toEqual([]);
    expect(rec.removed.sort()).toEqual([`.site.mpgen-new-${pid}-aaaaaaaa`, `.site.mpgen-new-${process.pid}-cccccccc`, `.site.mpgen-old-${pid}-bbbbbbbb`].map((n) => join(dir, n)).sort());
    expect(readdirSync(dir)).toEqual(['site']);
    expect(marker(join(dir, 'site'))).toBe(before);
  });

  it('leaves alone what a live process is writing, and every name not of the exact shape', () => {
    const dir = tmp();
    earlier(dir);
    const live = process.ppid;
    const dead = deadPid();
    const keep = [
      `.site.mpgen-new-${live}-aaaaaaaa`,
      `.site.mpgen-old-${live}-aaaaaaaa`,
      `.site.mpgen-old-${dead}-short`,
      `site.mpgen-old-${dead}-aaaaaaaa`,
      `.site.mpgen-old-${dead}-aaaaaaaa.bak`,
      `.site.mpgen-tmp-${dead}-aaaaaaaa`,
    ];
    for (const n of keep) mkdirSync(join(dir, n));
    // a symlink with a staging name is not a staging directory: neither it nor its target is touched
    mkdirSync(join(dir, 'target'));
    writeFileSync(join(dir, 'target', 'keep'), 'x');
    symlinkSync(join(dir, 'target'), join(dir, `.gone.mpgen-old-${dead}-aaaaaaaa`));
    const rec = recoverInterrupted(dir);
    expect(rec).toEqual({ restored: [], removed: [] });
    expect(readdirSync(dir).sort()).toEqual([...keep, 'site', 'target', `.gone.mpgen-old-${dead}-aaaaaaaa`].sort());
    expect(existsSync(join(dir, 'target', 'keep'))).toBe(true);
  });

  it('a tree left aside by an mpgen before this one (Date.now() in base 36 in the name) is restored too', () => {
    const dir = tmp();
    const before = earlier(dir);
    renameSync(join(dir, 'site'), join(dir, `.site.mpgen-old-${deadPid()}-${Date.now().toString(36)}`));
    expect(recoverInterrupted(dir).restored).toEqual([join(dir, 'site')]);
    expect(marker(join(dir, 'site'))).toBe(before);
  });
});

describe('package --batch', () => {
  it('removes the half-written packages of a killed run, and only those', async () => {
    const dir = tmp();
    const out = join(dir, 'debs');
    mkdirSync(out);
    const dead = `.mpgen-branch_0.1.0_all.deb.${deadPid()}.k9x2m4q1zz.tmp`;
    const live = `.mpgen-other_0.1.0_all.deb.${process.ppid}.k9x2m4q1zz.tmp`;
    for (const n of [dead, live, 'notes.tmp']) writeFileSync(join(out, n), 'half');
    copyProfile(join(dir, 'p.yaml'));
    const s = await runBatch({ kind: 'package', format: 'deb', distro: 'debian', out, nameBy: 'name', files: [join(dir, 'p.yaml')], workers: 0 });
    expect(s.ok).toBe(1);
    expect(readdirSync(out).sort()).toEqual([live, 'mpgen-branch_0.1.0_all.deb', 'notes.tmp'].sort());
  });
});

function copyProfile(to: string): void {
  writeFileSync(to, readFileSync(fixturePath('seed001-multipath'), 'utf8'));
}

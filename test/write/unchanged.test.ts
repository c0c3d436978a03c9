/** A render into a tree that already holds exactly the plan leaves it untouched; any difference rewrites it whole. */
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../src/plan/render.js';
import { writePlanTree } from '../../src/write/write-tree.js';
import { fixtureModel } from '../support/fixtures.js';

const plan = () => renderPlan(fixtureModel('seed001-multipath'), 'debian');
const SYSCTL = 'etc/sysctl.d/90-mpgen-branch.conf';

function fresh(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'mpgen-unchanged-')), 'tree');
  expect(writePlanTree(plan(), out).unchanged).toBe(false);
  return out;
}

describe('writePlanTree skips a tree that already holds the plan', () => {
  it('the same plan again: unchanged, same inode (nothing swapped, nothing deleted)', () => {
    const out = fresh();
    const ino = statSync(join(out, SYSCTL)).ino;
    const r = writePlanTree(plan(), out);
    expect(r.unchanged).toBe(true);
    expect(r.written.map((w) => w.path)).toEqual(plan().files.map((f) => f.path));
    expect(statSync(join(out, SYSCTL)).ino).toBe(ino);
  });

  it('a locally edited file is rewritten', () => {
    const out = fresh();
    writeFileSync(join(out, SYSCTL), 'net.ipv4.ip_forward = 0\n');
    expect(writePlanTree(plan(), out).unchanged).toBe(false);
    expect(readFileSync(join(out, SYSCTL), 'utf8')).toBe(plan().files.find((f) => f.path === `/${SYSCTL}`)!.content);
  });

  it('a changed mode is rewritten', () => {
    const out = fresh();
    chmodSync(join(out, SYSCTL), 0o600);
    expect(writePlanTree(plan(), out).unchanged).toBe(false);
    expect(statSync(join(out, SYSCTL)).mode & 0o777).toBe(0o644);
  });

  it('an extra file makes it a rewrite, which removes the file', () => {
    const out = fresh();
    writeFileSync(join(out, 'etc/stale.conf'), 'x');
    expect(writePlanTree(plan(), out).unchanged).toBe(false);
    expect(() => statSync(join(out, 'etc/stale.conf'))).toThrow();
  });

  it('another distro into the same tree is a rewrite (the marker differs)', () => {
    const out = fresh();
    expect(writePlanTree(renderPlan(fixtureModel('seed001-multipath'), 'debian', 'networkd'), out).unchanged).toBe(false);
  });
});

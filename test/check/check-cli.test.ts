/**
 * `mpgen check` through the CLI (run() in-process, no bundle needed), on a
 * namespace set up from a real profile loaded by the real loader: exit 0 with
 * all ok, then exit 1 with the FAIL line once a rule is gone; --json agrees.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/run.js';
import { loadModelFromFile } from '../../src/model/load.js';
import { missing } from '../support/require.js';
import { applyMultipath, createNamespaces, deleteNamespaces, ip } from './netns-apply.js';

const PROFILE = `version: 1
name: lab
mode: multipath
uplinks:
  - name: adsl1
    interface: eth1
    address: 192.0.2.1/30
    gateway: 192.0.2.2
  - name: adsl2
    interface: eth2
    address: 198.51.100.1/30
    gateway: 198.51.100.2
    weight: 3
routes: [default, 203.0.113.0/24]
routing:
  hash: l4
keepalive:
  enabled: false
`;

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const w = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const before = process.exitCode;
  try {
    const code = await run(args);
    return { code, out };
  } finally {
    w.mockRestore();
    e.mockRestore();
    process.exitCode = before;
  }
}

const skip = missing({ root: true, netns: true, commands: ['ip', 'tc'] });
const ns = `mpc-${process.pid}-cli`;
const peer = `mpc-${process.pid}-clim`;

describe.skipIf(skip !== undefined)('mpgen check CLI against a namespace (L3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpgen-check-'));
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, PROFILE);

  beforeAll(() => {
    createNamespaces(ns, peer);
    applyMultipath(loadModelFromFile(file), ns, peer);
  });
  afterAll(() => {
    deleteNamespaces(ns, peer);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 with only ok lines when the namespace holds what the profile says', async () => {
    const r = await cli(['check', '-p', file, '--netns', ns]);
    expect(r.out.split('\n').filter((l) => l && !l.startsWith('ok   '))).toEqual([]);
    expect(r.out).toContain('ok   table 222 multipath default ');
    expect(r.code).toBe(0);
  });

  it('exits 1 and names the missing rule once it is deleted; --json says the same', async () => {
    const m = loadModelFromFile(file);
    const u = m.uplinks[1]!;
    // the uplink's fwmark rule shares the priority: delete the address rule by its selector
    ip(ns, 'rule', 'del', 'priority', String(u.rulePriority), 'from', u.ruleFrom!);
    const r = await cli(['check', '-p', file, '--netns', ns]);
    expect(r.code).toBe(1);
    const mark = `from all fwmark 0x${((u.index + 1) << 8).toString(16)}/0x3f00 lookup ${u.table}`;
    expect(r.out.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([
      `FAIL rule ${u.rulePriority} from ${u.ruleFrom!} lookup ${u.table}: expected from ${u.ruleFrom!} lookup ${u.table}, found ${mark}`,
    ]);
    expect(r.out).toContain(`ok   rule ${u.rulePriority} ${mark}\n`);
    const j = await cli(['check', '-p', file, '--netns', ns, '--json']);
    expect(j.code).toBe(1);
    const parsed = JSON.parse(j.out) as { ok: boolean; results: Array<{ ok: boolean; area: string; found?: string }> };
    expect(parsed.ok).toBe(false);
    expect(parsed.results.filter((x) => !x.ok)).toEqual([
      expect.objectContaining({ area: 'rule', found: mark }),
    ]);
  });

  it('rejects a namespace name that is not one (usage error, exit 2)', async () => {
    const r = await cli(['check', '-p', file, '--netns', 'a b']);
    expect(r.code).toBe(2);
  });
});

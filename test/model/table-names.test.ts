/**
 * Issue 14, item 14: rt_tables.d/mpgen-NAME.conf names one table per line, and no two lines share a name
 * or an id. An uplink may be called "mp": its table keeps `mpgen-NAME-mp`, like every uplink's, and
 * the multipath table becomes `mpgen-NAME.mp`. Checked in the file and with iproute2 itself, which
 * reads the rendered file (bind-mounted over /etc/iproute2 in a private mount namespace) and shows
 * each table by name inside a namespace this test owns.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFromText } from '../../src/model/load.js';
import { renderPlan } from '../../src/plan/render.js';
import { missing } from '../support/require.js';

const P = (a: string, mode = 'multipath', extra = ''): string => `version: 1
name: lab
mode: ${mode}
uplinks:
  - {name: ${a}, interface: eth1, address: 192.0.2.1/30, gateway: 192.0.2.2}
  - {name: b, interface: eth2, address: 198.51.100.1/30, gateway: 198.51.100.2}
${extra}`;

function rtTables(text: string): Array<[number, string]> {
  const { model } = loadModelFromText(text, 'p.yaml');
  const file = renderPlan(model, 'debian').files.find((f) => f.path === '/etc/iproute2/rt_tables.d/mpgen-lab.conf')!;
  return file.content
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const [id, name] = l.split('\t');
      return [Number(id), name!];
    });
}

describe('rt_tables.d names', () => {
  it('existing profiles keep their names', () => {
    expect(rtTables(P('a'))).toEqual([
      [201, 'mpgen-lab-a'],
      [202, 'mpgen-lab-b'],
      [222, 'mpgen-lab-mp'],
    ]);
  });

  it('an uplink named mp keeps mpgen-lab-mp; the multipath table is mpgen-lab.mp', () => {
    const t = rtTables(P('mp'));
    expect(t).toEqual([
      [201, 'mpgen-lab-mp'],
      [202, 'mpgen-lab-b'],
      [222, 'mpgen-lab.mp'],
    ]);
    expect(new Set(t.map(([, n]) => n)).size).toBe(t.length);
    expect(new Set(t.map(([id]) => id)).size).toBe(t.length);
  });

  it('teql mode has no multipath table, so mp is just an uplink', () => {
    const bond = 'bond: {interface: teql0, address: 203.0.113.1/29, gateway: 203.0.113.6}\n';
    expect(rtTables(P('mp', 'teql', bond))).toEqual([
      [201, 'mpgen-lab-mp'],
      [202, 'mpgen-lab-b'],
    ]);
  });
});

const why = missing({ commands: ['ip', 'unshare', 'mount'], root: true, netns: true });
describe.skipIf(why)('iproute2 reads the rendered names', () => {
  const ns = `mpsem-${process.pid}-rt`;
  const etc = mkdtempSync(join(tmpdir(), 'mpsem-rt-'));
  afterAll(() => {
    rmSync(etc, { recursive: true, force: true });
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // never created
    }
  });

  it('ip route show table mpgen-lab-mp shows uplink mp; table mpgen-lab.mp the multipath route', () => {
    mkdirSync(join(etc, 'rt_tables.d'));
    writeFileSync(join(etc, 'rt_tables'), '255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n');
    writeFileSync(join(etc, 'rt_tables.d', 'mpgen-lab.conf'), rtTables(P('mp')).map(([id, n]) => `${id}\t${n}`).join('\n') + '\n');
    execFileSync('ip', ['netns', 'add', ns], { timeout: 10_000 });
    const x = (...a: string[]) => execFileSync('ip', ['-n', ns, ...a], { timeout: 10_000 });
    x('link', 'set', 'lo', 'up');
    x('link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'p1');
    for (const d of ['eth1', 'p1']) x('link', 'set', d, 'up');
    x('addr', 'add', '192.0.2.1/30', 'dev', 'eth1');
    x('route', 'add', 'default', 'via', '192.0.2.2', 'dev', 'eth1', 'table', '201');
    x('route', 'add', '203.0.113.0/24', 'via', '192.0.2.2', 'dev', 'eth1', 'table', '222');
    const show = (table: string): string =>
      execFileSync('unshare', ['-m', 'sh', '-c', `mount --bind "$1" /etc/iproute2 && exec ip -n "$2" route show table "$3"`, 'sh', etc, ns, table], { encoding: 'utf8', timeout: 10_000 }).trim();
    expect(show('mpgen-lab-mp')).toBe('default via 192.0.2.2 dev eth1');
    expect(show('mpgen-lab.mp')).toBe('203.0.113.0/24 via 192.0.2.2 dev eth1');
  });
});

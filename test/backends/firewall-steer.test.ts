/**
 * Connection steering in the firewall files: the real consumers accept them (nft -c, iptables-restore
 * --test, shellcheck and dash for the loader), nothing changes without marks, and the loader's
 * `policy` command validates every argument, rewrites one policy chain, and re-applies the
 * keepalive's choices from /run/mpgen/NAME.policies on start (in a private netns and mount ns).
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firewall } from '../../src/backends/firewall.js';
import { fixtureModel } from '../support/fixtures.js';
import { renderContext } from '../../src/backends/backend.js';
import { getDistro } from '../../src/distros/registry.js';
import { missing } from '../support/require.js';
import { fileOf, renderSteer, sandboxed, steerTree } from './firewall-steer-support.js';

/** Words only steering writes. */
const STEER_WORDS = /\bmark\b|mangle|policy_|mpgen-p1-|policies=|policy\)/;
const run = (cmd: string, args: string[], input?: string) => spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 60_000 });
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('firewall steering: the rendered files', () => {
  it('nftables: policy chains in order, restore, ingress and egress pinning, the reject mark refused', () => {
    const nft = fileOf(renderSteer().files, '.nft').content;
    expect(nft).toContain('chain policy_voip {\n\t\tct mark set ct mark and 0xffffc0ff or 0x200\n');
    expect(nft).toContain('chain policy_bank-web {\n\t\tct mark set ct mark and 0xffffc0ff or 0x100\n');
    expect(nft).toContain('type route hook output priority mangle;');
    expect(nft).toContain('ct state new iifname "up1" ct mark set ct mark and 0xffffc0ff or 0x200');
    expect(nft).toContain('ct state new ct mark & 0x3f00 == 0x0 oifname "up0" ct mark set ct mark and 0xffffc0ff or 0x100');
    expect(nft.match(/meta mark & 0x3f00 == 0x3f00 reject/g)).toHaveLength(2);
    const pre = nft.slice(nft.indexOf('chain steer_prerouting'));
    expect(pre.indexOf('goto policy_voip')).toBeLessThan(pre.indexOf('goto policy_bank-web'));
  });

  it('more policies: icmp, sport, long port lists split over multiport rules, an empty match', () => {
    const nft = fileOf(renderSteer({ more: true }).files, '.nft').content;
    expect(nft).toContain('ct state new ct mark & 0x3f00 == 0x0 meta l4proto icmp ip saddr { 198.51.100.0/26, 198.51.100.64/26 } ip daddr { 203.0.113.0/24, 192.0.2.0/25 } goto policy_ping');
    expect(nft).toContain('ct state new ct mark & 0x3f00 == 0x0 goto policy_rest_all');
    const rules = fileOf(renderSteer({ more: true, firewall: 'iptables' }).files, '.rules').content;
    const many = rules.split('\n').filter((l) => l.startsWith('-A mpgen-pre-steer') && l.endsWith('-g mpgen-p4-steer'));
    expect(many).toEqual([
      '-A mpgen-pre-steer -m conntrack --ctstate NEW -m connmark --mark 0x0/0x3f00 -p tcp -m multiport --sports 1000:1010 -m multiport --dports 2000,2001,2002,2003,2004,2005,2006,2007,2008,2009,2010,2011,2012,2013 -g mpgen-p4-steer',
      '-A mpgen-pre-steer -m conntrack --ctstate NEW -m connmark --mark 0x0/0x3f00 -p tcp -m multiport --sports 1000:1010 -m multiport --dports 3000:3010,4000:4010 -g mpgen-p4-steer',
    ]);
    expect(rules).toContain('-A mpgen-pre-steer -m conntrack --ctstate NEW -m connmark --mark 0x0/0x3f00 -g mpgen-p5-steer');
  });

  it('pin_flows false: the restore, the ingress marks, the policies and the guard stay, no egress pinning', () => {
    const nft = fileOf(renderSteer({ pinFlows: false }).files, '.nft').content;
    expect(nft).toContain('goto policy_voip');
    expect(nft).toContain('ct state new iifname "up0" ct mark set');
    expect(nft).toMatch(/ct mark & 0x3f00 == 0x100 oifname \S.* drop/);
    expect(nft).not.toMatch(/ct state new ct mark & 0x3f00 == 0x0 oifname/);
  });

  it('a marked connection never leaves by another uplink: nft and iptables drop it', () => {
    const nft = fileOf(renderSteer({}).files, '.nft').content;
    const guards = nft.split('\n').filter((l) => /oifname .* drop$/.test(l)).map((l) => l.trim());
    expect(guards.length).toBeGreaterThanOrEqual(2);
    for (const g of guards) expect(g).toMatch(/^ct mark & 0x3f00 == 0x[1-9a-f]00 oifname (?:"[^"]+"|\{ "[^"]+"(?:, "[^"]+")* \}) drop$/);
    const ipt = fileOf(renderSteer({ firewall: 'iptables' }).files, '.rules').content;
    expect(ipt).toMatch(/^-A mpgen-post-\S+ -o \S+ -m connmark --mark 0x100\/0x3f00 -j DROP$/m);
  });

  it('without marks the files are as before: teql, and multipath without pinning or policies', () => {
    for (const ctx of [renderContext(fixtureModel('seed003-teql'), getDistro('debian'))]) {
      for (const f of firewall(ctx).files) expect(f.content, f.path).not.toMatch(STEER_WORDS);
    }
    for (const fw of ['nftables', 'iptables'] as const) {
      const c = renderSteer({ firewall: fw, pinFlows: false, policies: false });
      for (const f of c.files) expect(f.content, f.path).not.toMatch(STEER_WORDS);
    }
  });

  it('notes: firewall none in multipath, and pin_flows false', () => {
    expect(renderSteer({ firewall: 'none' }).notes?.join('\n')).toMatch(/^connections are not pinned: /);
    expect(renderSteer({ pinFlows: false }).notes?.join('\n')).toContain('connections on healthy lines may move when another line fails or returns');
    expect(renderSteer().notes?.join('\n')).not.toMatch(/pinned|may move/);
  });
});

const why = missing({ commands: ['nft', 'iptables-restore', 'iptables-save', 'shellcheck', 'dash', 'unshare'], root: true, netns: true });

describe.skipIf(why)(`firewall steering: the real consumers${why ? ` (skipped: ${why})` : ''}`, () => {
  for (const o of [{}, { pinFlows: false }, { policies: false }, { more: true }]) {
    it(`nft -c -f accepts the nftables file, iptables-restore --test the rules file (private netns) ${JSON.stringify(o)}`, () => {
      const tree = steerTree(renderSteer(o).files);
      dirs.push(tree.dir);
      const nft = run('unshare', ['-n', 'nft', '-c', '-f', join(tree.etc, 'steer.nft')]);
      expect(nft.stderr).toBe('');
      expect(nft.status).toBe(0);
      const ipt = run('unshare', ['-n', 'iptables-restore', '--test', '--noflush'], fileOf(renderSteer({ ...o, firewall: 'iptables' }).files, '.rules').content);
      expect(ipt.stderr).toBe('');
      expect(ipt.status).toBe(0);
    });
  }

  it('the loader is shellcheck-clean (sh) with and without steering', () => {
    for (const c of [renderSteer(), renderSteer({ firewall: 'iptables' }), renderSteer({ pinFlows: false, policies: false })]) {
      const r = run('shellcheck', ['-s', 'sh', '-'], fileOf(c.files, '-firewall').content);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(0);
    }
  });

  for (const fw of ['nftables', 'iptables'] as const) {
    const dump = fw === 'nftables' ? 'nft list table ip mpgen_steer' : "iptables-save | grep -v '^#'";
    const chain = (k: number, name: string) => (fw === 'nftables' ? `nft list chain ip mpgen_steer policy_${name}` : `iptables -t mangle -S mpgen-p${k}-steer`);

    it(`${fw}: policy NAME K TARGET refuses a bad K, TARGET or NAME with exit 2 and changes nothing`, () => {
      const tree = steerTree(renderSteer({ firewall: fw }).files);
      dirs.push(tree.dir);
      const script = `h=$1
dash "$h" start steer || exit 98
before=$(${dump})
for a in "0 1" "3 1" "01 1" "1 0" "1 3" "1 01" "1 x" "1 -1" "a 1" "1 reject2" "1;2 1" "9999 1"; do
	set -f; dash "$h" policy steer $a 2>/dev/null; echo "rc=$?"; set +f
done
dash "$h" policy steer 1 2>/dev/null; echo "rc=$?"
dash "$h" policy steer 1 1 1 2>/dev/null; echo "rc=$?"
dash "$h" policy other 1 1 2>/dev/null; echo "rc=$?"
after=$(${dump})
[ "$before" = "$after" ] && echo unchanged`;
      const r = sandboxed(['unshare', '-n', '-m'], tree.etc, tree.run, script, [tree.helper]);
      expect(r.stderr).toBe('');
      const lines = r.stdout.trim().split('\n');
      expect(lines.slice(0, -1)).toEqual(Array(15).fill('rc=2'));
      expect(lines.at(-1)).toBe('unchanged');
    });

    it(`${fw}: policy NAME K TARGET rewrites only chain K (uplink, reject, balance)`, () => {
      const tree = steerTree(renderSteer({ firewall: fw }).files);
      dirs.push(tree.dir);
      const script = `h=$1
dash "$h" start steer || exit 98
dash "$h" policy steer 1 1 && echo "== 1 1" && ${chain(1, 'voip')}
dash "$h" policy steer 2 reject && echo "== 2 reject" && ${chain(2, 'bank-web')}
dash "$h" policy steer 1 balance && echo "== 1 balance" && ${chain(1, 'voip')}
echo "== 2 still" && ${chain(2, 'bank-web')}`;
      const r = sandboxed(['unshare', '-n', '-m'], tree.etc, tree.run, script, [tree.helper]);
      expect(r.stderr).toBe('');
      const part = (tag: string) => r.stdout.split(`== ${tag}\n`)[1]!.split('==')[0]!;
      expect(part('1 1')).toMatch(/0x0*100\b/);
      expect(part('1 1')).not.toMatch(/0x0*200\b/);
      expect(part('2 reject')).toMatch(/0x0*3f00\b.*\n.*0x0*3f00/);
      expect(part('1 balance')).not.toMatch(/mark/i);
      expect(part('2 still')).toMatch(/0x0*3f00\b/);
    });

    it(`${fw}: start re-applies the valid lines of /run/mpgen/NAME.policies and says which it ignored`, () => {
      const tree = steerTree(renderSteer({ firewall: fw }).files);
      dirs.push(tree.dir);
      writeFileSync(join(tree.run, 'mpgen', 'steer.policies'), '1 2\n2 reject\n3 1\n1 x\nrm -rf /\n1 balance');
      const script = `h=$1
dash "$h" start steer; echo "rc=$?"
echo "== 1" && ${chain(1, 'voip')}
echo "== 2" && ${chain(2, 'bank-web')}`;
      const r = sandboxed(['unshare', '-n', '-m'], tree.etc, tree.run, script, [tree.helper]);
      expect(r.stderr).toContain('line 3 ignored');
      expect(r.stderr).toContain('line 4 ignored');
      expect(r.stderr).toContain('line 5 ignored');
      expect(r.stdout).toContain('rc=0');
      const part = (tag: string) => r.stdout.split(`== ${tag}\n`)[1]!.split('==')[0]!;
      expect(part('1')).not.toMatch(/mark/i);
      expect(part('2')).toMatch(/0x0*3f00\b/);
    });
  }
});

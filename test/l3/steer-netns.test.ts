/**
 * Pinned connections and policies for real, in network namespaces (test/l3/steer-lab.ts): the
 * rendered ruleset loaded by the rendered loader, the state's routes and rules by ip(8). A LAN flow
 * takes the ct mark of the uplink it left by; when the multipath route then holds only the other
 * uplink, the flow's later packets still leave by the first (the modems' counters), while a new
 * flow takes the other. A policy's new connections follow `policy NAME K TARGET`, and `reject`
 * refuses them; a local probe that sets its uplink's mark itself (ping -m) is left alone. Run for
 * nftables and for iptables.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { nexthopArgs } from '../../src/backends/eni-commands.js';
import { renderSteer, steerContext, steerTree } from '../backends/firewall-steer-support.js';
import { literal } from '../../src/state/value.js';
import { missing } from '../support/require.js';
import { FAR, routeArgs, SteerLab } from './steer-lab.js';

const why = missing({ commands: ['ip', 'nft', 'iptables-restore', 'conntrack', 'dash', '/usr/bin/python3'], root: true, netns: true });
const labs: SteerLab[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const l of labs) l.destroy();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

for (const fw of ['nftables', 'iptables'] as const) {
  describe.skipIf(why)(`steering in netns (${fw})${why ? ` (skipped: ${why})` : ''}`, () => {
    const ctx = steerContext({ firewall: fw });
    const s = ctx.state;
    const lab = new SteerLab(fw === 'nftables' ? 'n' : 'i');
    labs.push(lab);
    const tree = steerTree(renderSteer({ firewall: fw }).files);
    dirs.push(tree.dir);
    const markOf = (i: number) => s.marks[i]!.mark;
    let first = -1;

    it('builds, and the rendered loader loads the ruleset', () => {
      lab.build(s);
      const r = lab.firewall(tree.etc, tree.run, tree.helper, ['start', 'steer']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });

    it("a new LAN flow takes the ct mark of the uplink the multipath route chose", () => {
      lab.udp(40001, 5001);
      const mark = lab.ctMark(40001, 5001);
      first = s.marks.findIndex((m) => m.mark === mark);
      expect(first, `ct mark ${String(mark)}`).toBeGreaterThanOrEqual(0);
      expect(lab.count(first, 'udp', 5001)).toBe(3);
      expect(lab.count(1 - first, 'udp', 5001)).toBe(0);
    });

    it('a new connection arriving on an uplink takes that uplink\'s mark', () => {
      for (const i of [0, 1]) {
        const addr = s.addresses.find((a) => a.interface === s.marks[i]!.interface)!;
        lab.udpFromModem(i, literal(addr.local.addr), 40300 + i, 5003);
        expect(lab.ctMark(40300 + i, 5003)).toBe(markOf(i));
      }
    });

    it('with only the other nexthop left, the pinned flow keeps its uplink and a new flow takes the other', () => {
      const mp = s.routes.find((r) => r.role === 'multipath')!;
      const other = mp.nexthops[1 - first]!;
      const only = routeArgs({ ...mp, nexthops: [other] });
      expect(only.join(' ')).toContain(nexthopArgs(other));
      lab.ip(lab.router, 'route', 'replace', ...only);
      lab.udp(40001, 5001, 4);
      expect(lab.count(first, 'udp', 5001)).toBe(7);
      expect(lab.count(1 - first, 'udp', 5001)).toBe(0);
      lab.udp(40002, 5002);
      expect(lab.ctMark(40002, 5002)).toBe(markOf(1 - first));
      expect(lab.count(1 - first, 'udp', 5002)).toBe(3);
      expect(lab.count(first, 'udp', 5002)).toBe(0);
      // the state's route again, for the policy cases
      lab.ip(lab.router, 'route', 'replace', ...routeArgs(mp));
    });

    it("a policy's new connections take its first uplink, then the one `policy NAME K TARGET` names", () => {
      // voip (policy 1) lists dsl2 first: uplink 2, index 1
      lab.udp(40100, 5060);
      expect(lab.ctMark(40100, 5060)).toBe(markOf(1));
      expect(lab.count(1, 'udp', 5060)).toBe(3);
      const r = lab.firewall(tree.etc, tree.run, tree.helper, ['policy', 'steer', '1', '1']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      lab.udp(40101, 5060);
      expect(lab.ctMark(40101, 5060)).toBe(markOf(0));
      expect(lab.count(0, 'udp', 5060)).toBe(3);
      // the connection opened before the switch keeps its uplink
      lab.udp(40100, 5060, 2);
      expect(lab.count(1, 'udp', 5060)).toBe(5);
      expect(lab.count(0, 'udp', 5060)).toBe(3);
    });

    it('policy NAME K reject refuses the policy\'s new connections (admin-prohibited), balance lets them through', () => {
      expect(lab.firewall(tree.etc, tree.run, tree.helper, ['policy', 'steer', '2', 'reject']).code).toBe(0);
      expect(lab.tcp(443)).toBe('113'); // EHOSTUNREACH: the ICMP admin-prohibited answer
      expect(lab.count(0, 'tcp', 443) + lab.count(1, 'tcp', 443)).toBe(0);
      expect(lab.firewall(tree.etc, tree.run, tree.helper, ['policy', 'steer', '2', 'balance']).code).toBe(0);
      lab.tcp(443);
      expect(lab.count(0, 'tcp', 443) + lab.count(1, 'tcp', 443)).toBeGreaterThan(0);
    });

    it('stop removes everything the loader added', () => {
      const r = lab.firewall(tree.etc, tree.run, tree.helper, ['stop', 'steer']);
      expect(r.code).toBe(0);
      const left = fw === 'nftables' ? lab.exec(lab.router, ['nft', 'list', 'ruleset']).stdout : lab.exec(lab.router, ['iptables-save']).stdout;
      expect(left).not.toMatch(/mpgen/);
    });
  });
}

for (const fw of ['nftables', 'iptables'] as const) {
  describe.skipIf(why || missing({ commands: ['ping'] }))(`a local probe and the policies in netns (${fw})`, () => {
    // policy 5 (rest_all) matches every new connection; pointed at uplink 1, it would move a probe of
    // uplink 2 bound to uplink 2's address (the from rule of uplink 1 sits first) unless the probe
    // sets uplink 2's mark itself.
    const o = { firewall: fw, more: true } as const;
    const s = steerContext(o).state;
    const lab = new SteerLab(fw === 'nftables' ? 'pn' : 'pi');
    labs.push(lab);
    const tree = steerTree(renderSteer(o).files);
    dirs.push(tree.dir);

    it('ping -m MARK -I ADDR leaves by its own uplink whatever a policy says', () => {
      lab.build(s);
      expect(lab.firewall(tree.etc, tree.run, tree.helper, ['start', 'steer']).code).toBe(0);
      expect(lab.firewall(tree.etc, tree.run, tree.helper, ['policy', 'steer', '5', '1']).code).toBe(0);
      for (const m of lab.modems) lab.exec(m, ['nft', 'add rule ip cnt in icmp type echo-request counter']);
      const src = literal(s.addresses.find((a) => a.interface === s.marks[1]!.interface)!.local.addr);
      const r = lab.exec(lab.router, ['ping', '-n', '-q', '-c', '2', '-W', '1', '-m', String(s.marks[1]!.mark), '-I', src, FAR]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const echo = (i: number) => Number(/icmp type echo-request counter packets (\d+)/.exec(lab.exec(lab.modems[i]!, ['nft', 'list', 'chain', 'ip', 'cnt', 'in']).stdout)?.[1]);
      expect(echo(1)).toBe(2);
      expect(echo(0)).toBe(0);
    });
  });
}

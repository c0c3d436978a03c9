/**
 * L3: the keepalive's steering in the namespace lab: far targets beside the gateway, tiers,
 * connections deleted by mark for a dead line only, policy moves through a stub firewall helper,
 * drift repair and the Prometheus textfile. Every wait is bounded; nothing is timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missing } from '../support/require.js';
import { Daemon, Lab, SHELLS, TABLE, cleanupDir, install, labModel, modemAddr, routerAddr, sh, trySh, waitFor, type Installed } from './lab.js';
import { patchConf, tcStub } from './lab-stubs.js';
import { checkPromText } from './prom.js';

const why = missing({ commands: ['ip', 'ping', 'dash', 'conntrack'], root: true, netns: true });
const PREFIX = `mps-${process.pid}`;
const FAR = ['203.0.113.10', '203.0.113.20'];

for (const [shell, argv] of Object.entries(SHELLS)) {
  describe.skipIf(why !== undefined || missing({ commands: [argv[0]!] }) !== undefined)(`keepalive lab (${shell}): tiers, far targets, marks, policies, drift, metrics`, () => {
    const lab = new Lab(`${PREFIX}-${shell.slice(0, 2)}`, 2);
    let inst: Installed;
    let d: Daemon;
    const fwLog = () => (existsSync(join(inst.dir, 'fw.log')) ? readFileSync(join(inst.dir, 'fw.log'), 'utf8') : '');
    const metrics = () => readFileSync(join(inst.dir, 'metrics', 'mpgen_lab.prom'), 'utf8');
    const ct = () => sh('ip', ['netns', 'exec', lab.ns.router, 'conntrack', '-L', '-p', 'udp']);
    const addFlow = (i: number, port: number, mark: number) =>
      sh('ip', ['netns', 'exec', lab.ns.router, 'conntrack', '-I', '-p', 'udp', '-s', '192.0.2.200', '-d', '203.0.113.10', '--sport', String(port), '--dport', '53',
        '-r', '203.0.113.10', '-q', routerAddr(i), '--reply-port-src', '53', '--reply-port-dst', String(port), '-t', '600', '--mark', String(mark)]);

    beforeAll(async () => {
      lab.create({ multipathRoute: false });
      sh('ip', ['-n', lab.ns.internet, 'addr', 'add', `${FAR[1]}/32`, 'dev', 'lo']);
      const m = labModel({ n: 2, probe: (i) => [modemAddr(i)] });
      m.uplinks[1]!.tier = 2;
      for (const u of m.uplinks) u.far = [...FAR];
      m.firewall = 'nftables';
      m.routing.pinFlows = true;
      m.policies = [
        { name: 'voip', index: 0, protocol: 'udp', dport: [{ from: 5060, to: 5060 }], sport: [], src: [], dst: [], uplinks: ['line2'], fallback: 'none' },
        { name: 'web', index: 1, protocol: 'tcp', dport: [{ from: 443, to: 443 }], sport: [], src: [], dst: [], uplinks: ['line1', 'line2'], fallback: 'balance' },
      ];
      inst = install(m);
      const conf = readFileSync(join(inst.etc, 'lab.conf'), 'utf8');
      expect(conf).toMatch(/^UPLINK_1_QUORUM=2$/m);
      expect(conf).toMatch(/^UPLINK_2_TIER=2$/m);
      expect(conf).toMatch(/^UPLINK_2_MARK=0x200$/m);
      expect(conf).toMatch(/^FIREWALL=\/usr\/libexec\/mpgen\/lab-firewall$/m);
      // the firewall helper: a stub that records its arguments
      const fw = join(inst.dir, 'fw');
      writeFileSync(fw, `#!/bin/sh\necho "$*" >> '${inst.dir}/fw.log'\n`);
      chmodSync(fw, 0o755);
      mkdirSync(join(inst.dir, 'metrics'));
      patchConf(inst, 'lab', { FIREWALL: fw, METRICS_DIR: `${join(inst.dir, 'nothere')} ${join(inst.dir, 'metrics')}` });
      // the balance at boot: tier 1 only
      lab.installOnly([1]);
      d = new Daemon(lab, inst, 'lab', argv);
      d.start();
      await waitFor('running', () => d.status().includes('state=running'), 20_000, () => d.output);
      // what the unit's privileged ExecStartPre does: link the collector's directory to /run/mpgen
      const link = trySh('env', [`MPGEN_RUN=${inst.run}`, `MPGEN_ETC=${inst.etc}`, ...argv, inst.script, 'metrics-link', 'lab']);
      expect(link.ok, link.out).toBe(true);
    });

    afterAll(async () => {
      await d?.stop();
      lab.destroy();
      if (inst) cleanupDir(inst.dir);
    });

    it('keeps the tier-2 line out while tier 1 is live; policies take their first live uplink', async () => {
      // line2 is out of the boot route for its tier, not known dead: it starts up
      await waitFor('line2 up on all its targets', () => /^uplink line2 up .* targets_up=3\/3 /m.test(d.status()), 20_000, () => d.output + d.status());
      expect(lab.routeDevs()).toEqual(['r1']);
      expect(d.status()).toMatch(/^uplink line1 up dev=r1 active=yes targets_up=3\/3 quorum=2 .* tier=1$/m);
      expect(d.status()).toMatch(/^uplink line2 up dev=r2 active=no targets_up=3\/3 quorum=2 .* tier=2$/m);
      await waitFor('voip on line2', () => /^policy voip line2$/m.test(d.status()), 10_000, () => d.status());
      expect(d.status()).toMatch(/^policy web line1$/m);
      // at start, each policy once, to its first live uplink
      expect(fwLog().split('\n')).toEqual(['policy lab 1 2', 'policy lab 2 1', '']);
      expect(readFileSync(join(inst.run, 'lab.policies'), 'utf8')).toBe('1 2\n2 1\n');
      expect(d.output).toMatch(/policy voip: \(start\) -> line2/);
      expect(d.statusCommand().out).toMatch(/^policy voip line2$/m);
    });

    it('takes line1 out when its far targets die behind a live modem; tier 2 enters; only the dead line loses its connections', async () => {
      addFlow(1, 1000, 0x100);
      addFlow(2, 1001, 0x200);
      addFlow(1, 1002, 0x10100); // line1's mark beside a bit outside the mask
      lab.blackhole(1, true);
      await waitFor('line2 in, line1 out', () => lab.routeDevs().join() === 'r2', 20_000, () => d.output);
      await waitFor('status', () => /^uplink line1 down /m.test(d.status()), 10_000, () => d.status());
      expect(d.status()).toMatch(/^uplink line1 down dev=r1 active=no targets_up=1\/3 quorum=2 /m);
      expect(d.status()).toMatch(new RegExp(`^target line1 ${modemAddr(1).replace(/\./g, '\\.')} up`, 'm'));
      await waitFor('conntrack flushed', () => /conntrack: line1 \(mark 0x100\)/.test(d.output), 10_000, () => d.output);
      const flows = ct();
      expect(flows).not.toContain('dport=1000');
      expect(flows).not.toContain('dport=1002');
      expect(flows).toContain('dport=1001');
      await waitFor('web moved', () => /^policy web line2$/m.test(d.status()), 10_000, () => d.status());
      expect(fwLog()).toMatch(/^policy lab 2 2$/m);
    });

    it('puts tier 1 back when line1 heals; the live tier-2 line leaves with its connections kept', async () => {
      lab.blackhole(1, false);
      await waitFor('line1 back alone', () => lab.routeDevs().join() === 'r1', 20_000, () => d.output);
      await waitFor('status', () => /^uplink line1 up /m.test(d.status()), 10_000, () => d.status());
      expect(d.status()).toMatch(/^uplink line2 up dev=r2 active=no /m);
      expect(ct()).toContain('dport=1001');
      expect(d.output).not.toMatch(/conntrack: line2/);
      await waitFor('web back', () => /^policy web line1$/m.test(d.status()), 10_000, () => d.status());
    });

    it('repairs drift: a full multipath route put back by someone else is corrected', async () => {
      lab.installOnly([1, 2]);
      await waitFor('repaired', () => lab.routeDevs().join() === 'r1', 15_000, () => d.output);
      await waitFor('logged', () => /drift \((monitor|check)\): default table 222 via line1 line2; repaired: line1/.test(d.output), 10_000, () => d.output);
      // a route deleted outright comes back too
      sh('ip', ['-n', lab.ns.router, 'route', 'del', 'default', 'table', String(TABLE)]);
      await waitFor('re-added and logged', () => /drift \((monitor|check)\): default table 222 missing; repaired: line1/.test(d.output), 15_000, () => d.output);
      expect(lab.routeDevs()).toEqual(['r1']);
      // a second route appended beside the daemon's (networkd's start): the kernel keeps both
      // (the daemon may repair it before the next command here can look)
      lab.appendRoute([1, 2]);
      await waitFor('one route again', () => lab.defaultRoutes().length === 1 && lab.routeDevs().join() === 'r1', 15_000, () => `${lab.defaultRoutes().join('\n')}\n${d.output}`);
      await waitFor('logged', () => /drift \((monitor|check)\): default table 222: more than one route; repaired: line1/.test(d.output), 10_000, () => d.output);
    });

    it('writes the metrics file in the Prometheus text format', async () => {
      await waitFor('metrics', () => existsSync(join(inst.dir, 'metrics', 'mpgen_lab.prom')) && /mpgen_uplink_rtt_seconds\{[^}]*uplink="line2"[^}]*\} [0-9]/.test(metrics()), 15_000, () => d.status());
      // the collector reads a link to the daemon's own file, which others may read
      expect(readlinkSync(join(inst.dir, 'metrics', 'mpgen_lab.prom'))).toBe(join(inst.run, 'lab.prom'));
      expect(existsSync(join(inst.dir, 'nothere'))).toBe(false);
      expect(statSync(join(inst.run, 'lab.prom')).mode & 0o777).toBe(0o644);
      const text = metrics();
      const samples = checkPromText(text);
      const get = (name: string, uplink: string) => samples.find((s) => s.name === name && s.labels.uplink === uplink);
      expect(get('mpgen_uplink_up', 'line1')?.value).toBe(1);
      expect(get('mpgen_uplink_in_balance', 'line1')?.value).toBe(1);
      expect(get('mpgen_uplink_in_balance', 'line2')?.value).toBe(0);
      expect(get('mpgen_uplink_up', 'line2')?.labels).toEqual({ profile: 'lab', uplink: 'line2', interface: 'r2', tier: '2' });
      expect(get('mpgen_uplink_transitions_total', 'line1')?.value).toBe(2);
      expect(get('mpgen_uplink_loss_ratio', 'line2')?.value).toBeGreaterThanOrEqual(0);
      expect(get('mpgen_uplink_rtt_seconds', 'line2')?.value).toBeLessThan(1);
      const promtool = trySh('sh', ['-c', 'command -v promtool']);
      if (promtool.ok) {
        const r = trySh('sh', ['-c', `promtool check metrics < '${join(inst.dir, 'metrics', 'mpgen_lab.prom')}'`]);
        expect(r.out).toBe('');
        expect(r.ok).toBe(true);
      }
      // ExecStopPost: no stale figures for a stopped keepalive
      const unlink = trySh('env', [`MPGEN_RUN=${inst.run}`, `MPGEN_ETC=${inst.etc}`, ...argv, inst.script, 'metrics-unlink', 'lab']);
      expect(unlink.ok, unlink.out).toBe(true);
      expect(existsSync(join(inst.dir, 'metrics', 'mpgen_lab.prom'))).toBe(false);
      expect(trySh('env', [`MPGEN_RUN=${inst.run}`, `MPGEN_ETC=${inst.etc}`, ...argv, inst.script, 'metrics-link', 'lab']).ok).toBe(true);
    });

    it('fails open to tier 1 when every line is dead, and restores tier 1 on stop', async () => {
      lab.blackhole(1, true);
      lab.blackhole(2, true);
      await waitFor('fail-open', () => /failing open to tier 1 \(line1\)/.test(d.output), 20_000, () => d.output);
      await waitFor('both down', () => /^uplink line1 down/m.test(d.status()) && /^uplink line2 down/m.test(d.status()), 20_000, () => d.status());
      expect(lab.routeDevs()).toEqual(['r1']);
      expect(d.status()).toMatch(/^failopen=1$/m);
      await waitFor('voip rejects', () => /^policy voip reject$/m.test(d.status()), 10_000, () => d.status());
      expect(d.status()).toMatch(/^policy web balance$/m);
      lab.blackhole(2, false);
      await waitFor('tier 2 alone', () => lab.routeDevs().join() === 'r2', 20_000, () => d.output);
      expect(await d.stop()).toBe(0);
      expect(lab.routeDevs()).toEqual(['r1']);
      expect(d.output).toMatch(/restored the tier-1 uplinks \(line1\)/);
      // no ping, no ip monitor left behind
      expect(trySh('ip', ['netns', 'pids', lab.ns.router]).out.trim()).toBe('');
      lab.blackhole(1, false);
    });

    it('a restart remembers a tier-2 line seen down; one not seen down starts up', async () => {
      // the stop above saw line2 up; kill it, stop, and start again
      d.start();
      await waitFor('running', () => d.status().includes('state=running'), 20_000, () => d.output);
      expect(d.status()).toMatch(/^uplink line2 up dev=r2 active=no targets_up=3\/3 /m);
      lab.blackhole(2, true);
      await waitFor('line2 down', () => /^uplink line2 down /m.test(d.status()), 20_000, () => d.output);
      expect(await d.stop()).toBe(0);
      d.start();
      await waitFor('running again', () => d.status().includes('state=running'), 20_000, () => d.output);
      expect(d.status()).toMatch(/^uplink line2 down dev=r2 active=no targets_up=0\/3 /m);
      lab.blackhole(2, false);
      await waitFor('line2 up again', () => /^uplink line2 up /m.test(d.status()), 20_000, () => d.output);
      expect(lab.routeDevs()).toEqual(['r1']);
    });
  });
}

describe.skipIf(why !== undefined)('keepalive lab: teql tiers with a recording tc stub', () => {
  it('attaches the tier-2 slave only while no tier-1 slave is live', async () => {
    const lab = new Lab(`${PREFIX}-t`, 2);
    let inst: Installed | undefined;
    let d: Daemon | undefined;
    try {
      lab.create({ multipathRoute: false });
      const m = labModel({ n: 2, mode: 'teql' });
      m.uplinks[1]!.tier = 2;
      inst = install(m);
      // the boot state: tier 1 only on the bond
      const tc = tcStub(inst, ['r1']);
      d = new Daemon(lab, inst, 'lab', ['dash'], { PATH: tc.path });
      d.start();
      await waitFor('running', () => d!.status().includes('state=running'), 20_000, () => d!.output);
      expect(existsSync(tc.log)).toBe(false);
      expect(d.status()).toMatch(/^uplink line2 up dev=r2 active=no .* tier=2$/m);
      lab.blackhole(1, true);
      await waitFor('r2 attached, r1 detached', () => existsSync(join(tc.state, 'r2')) && !existsSync(join(tc.state, 'r1')), 30_000, () => d!.output);
      lab.blackhole(1, false);
      await waitFor('r1 back, r2 detached', () => existsSync(join(tc.state, 'r1')) && !existsSync(join(tc.state, 'r2')), 30_000, () => d!.output);
      // attach before detach: the bond never runs without a slave
      expect(readFileSync(tc.log, 'utf8')).toBe('qdisc add dev r2 root teql0\nqdisc del dev r1 root\nqdisc add dev r1 root teql0\nqdisc del dev r2 root\n');
    } finally {
      await d?.stop();
      lab.destroy();
      if (inst) cleanupDir(inst.dir);
    }
  });
});

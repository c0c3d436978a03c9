/**
 * L3: the real keepalive script, with the configuration rendered from a
 * model, in a namespace lab. Asserts kernel state, transitions and counts of
 * route changes; every wait is bounded and nothing is timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { missing } from '../support/require.js';
import { tcStub } from './lab-stubs.js';
import { Daemon, Lab, RouteMonitor, SHELLS, StatusWatch, cleanupDir, install, labModel, routerAddr, sh, trySh, waitFor, type Installed } from './lab.js';

const why = missing({ commands: ['ip', 'ping', 'dash', 'bash', 'busybox', 'conntrack', 'nft'], root: true, netns: true });
const PREFIX = `mpk-${process.pid}`;

describe.skipIf(why !== undefined)('keepalive lab: multipath, two uplinks', () => {
  const lab = new Lab(`${PREFIX}-a`, 2);
  let inst: Installed;
  let d: Daemon;
  let mon: RouteMonitor;
  /** waits (bounded) until ip monitor and the status file have caught up with `events` changes */
  const settle = async (events: number, changes = events) => {
    await waitFor(`${events} route events`, () => mon.events().length >= events, 10_000, () => mon.text);
    await waitFor(`route_changes=${changes}`, () => d.routeChanges() >= changes, 10_000, () => d.status());
  };

  beforeAll(async () => {
    lab.create();
    inst = install(labModel({ n: 2, weights: [1, 3] }));
    lab.installAll([1, 3]);
    // a hook that records its environment, one file per call
    const hooks = join(inst.etc, 'hooks.d');
    mkdirSync(hooks);
    const log = join(inst.dir, 'hooks.log');
    writeFileSync(join(hooks, '10-record'), `#!/bin/sh\necho "UPLINK=$UPLINK STATE=$STATE PREV=$PREV DEVICE=$DEVICE PROFILE=$PROFILE" >> '${log}'\n`);
    chmodSync(join(hooks, '10-record'), 0o755);
    // not run: not executable, and a name run-parts would skip
    writeFileSync(join(hooks, '20-noexec'), `#!/bin/sh\necho noexec >> '${log}'\n`);
    writeFileSync(join(hooks, 'bad.name'), `#!/bin/sh\necho badname >> '${log}'\n`);
    chmodSync(join(hooks, 'bad.name'), 0o755);
    mon = new RouteMonitor(lab.ns.router);
    await mon.ready(lab.ns.router);
    d = new Daemon(lab, inst);
    d.start();
    await waitFor('status file', () => d.status().includes('state=running'), 20_000, () => d.output);
  });

  afterAll(async () => {
    mon?.stop();
    await d?.stop();
    lab.destroy();
    if (inst) cleanupDir(inst.dir);
  });

  it('starts without touching a route that already matches', () => {
    expect(d.routeChanges()).toBe(0);
    expect(mon.events()).toEqual([]);
    expect(lab.routeDevs()).toEqual(['r1', 'r2']);
  });

  it('takes a blackholed line out with one route change, and new flows avoid it', async () => {
    // conntrack entries of both uplinks (reply-dst = the uplink's address)
    for (const [i, port] of [[1, 1000], [2, 1001]] as const) {
      sh('ip', ['netns', 'exec', lab.ns.router, 'conntrack', '-I', '-p', 'udp', '-s', '192.0.2.200', '-d', '203.0.113.10', '--sport', String(port), '--dport', '53',
        '-r', '203.0.113.10', '-q', routerAddr(i), '--reply-port-src', '53', '--reply-port-dst', String(port), '-t', '600']);
    }
    lab.blackhole(1, true);
    await waitFor('line1 out of the route', () => lab.routeDevs().join() === 'r2', 30_000, () => d.output);
    await settle(1);
    expect(mon.events()).toHaveLength(1);
    expect(mon.events().join('\n')).not.toMatch(/Deleted/);
    expect(d.routeChanges()).toBe(1);
    const flows = lab.flowDevs(300);
    expect(flows.get('r1') ?? 0).toBe(0);
    expect(flows.get('r2')).toBe(300);
    // only the dead uplink's conntrack entries are gone
    const ct = sh('ip', ['netns', 'exec', lab.ns.router, 'conntrack', '-L', '-p', 'udp']);
    expect(ct).not.toContain(`dst=${routerAddr(1)} sport=53 dport=1000`);
    expect(ct).toContain(`dst=${routerAddr(2)} sport=53 dport=1001`);
    expect(d.output).toMatch(/line1 down: target 203\.0\.113\.10 down \(4 probes lost in a row; loss \d+\/\d+ = \d+% .*rtt avg [0-9.]+ ms/);
  });

  it('runs the executable hooks with UPLINK, STATE and PREV, skipping the others', async () => {
    const log = join(inst.dir, 'hooks.log');
    await waitFor('hook ran', () => existsSync(log) && readFileSync(log, 'utf8').includes('STATE=down'));
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['UPLINK=line1 STATE=down PREV=up DEVICE=r1 PROFILE=lab']);
  });

  it('reports the state in the status file and through `keepalive status`', async () => {
    await waitFor('status written', () => /^uplink line1 down/m.test(d.status()), 30_000, () => d.status());
    const st = d.statusCommand();
    expect(st.ok).toBe(true);
    expect(st.out).toMatch(/^uplink line1 down dev=r1 active=no targets_up=0\/1 quorum=1 /m);
    expect(st.out).toMatch(/^uplink line2 up dev=r2 active=yes targets_up=1\/1 /m);
    expect(st.out).toMatch(/^route_changes=1$/m);
    expect(st.out).toMatch(/^running=yes$/m);
  });

  it('puts the line back after it heals, with its weight', async () => {
    lab.blackhole(1, false);
    await waitFor('line1 back in the route', () => lab.routeDevs().join() === 'r1,r2', 30_000, () => d.output);
    await settle(2);
    expect(mon.events()).toHaveLength(2);
    expect(mon.events()[1]).toMatch(/nexthop via 198\.51\.100\.9 dev r1 weight 1 .*nexthop via 198\.51\.100\.17 dev r2 weight 3/);
    const flows = lab.flowDevs(400);
    expect(flows.get('r1')).toBeGreaterThan(0);
    expect(flows.get('r2')).toBeGreaterThan(flows.get('r1')!);
    const log = readFileSync(join(inst.dir, 'hooks.log'), 'utf8').trim().split('\n');
    await waitFor('up hook ran', () => readFileSync(join(inst.dir, 'hooks.log'), 'utf8').includes('STATE=up'));
    expect(readFileSync(join(inst.dir, 'hooks.log'), 'utf8').trim().split('\n').slice(log.length - 1)).toContain('UPLINK=line1 STATE=up PREV=down DEVICE=r1 PROFILE=lab');
  });

  it('fails open when every line is dead: all stay in the route', async () => {
    const before = mon.events().length;
    lab.blackhole(1, true);
    lab.blackhole(2, true);
    await waitFor('fail-open logged', () => d.output.includes('failing open'), 30_000, () => d.output);
    await waitFor('both down in status', () => /^uplink line1 down/m.test(d.status()) && /^uplink line2 down/m.test(d.status()), 30_000, () => d.status());
    expect(lab.routeDevs()).toEqual(['r1', 'r2']);
    expect(d.status()).toMatch(/^failopen=1$/m);
    expect(mon.events().join('\n')).not.toMatch(/Deleted/);
    // the first line to die left the route, the second one put it back: never an empty route
    expect(mon.events().length - before).toBeLessThanOrEqual(2);
    lab.blackhole(1, false);
    lab.blackhole(2, false);
    await waitFor('both up again', () => /^uplink line1 up/m.test(d.status()) && /^uplink line2 up/m.test(d.status()), 30_000, () => d.status());
    expect(lab.routeDevs()).toEqual(['r1', 'r2']);
    expect(d.status()).toMatch(/^failopen=0$/m);
  });

  it('restart after kill -9 reconciles with the kernel: no route change when the state matches', async () => {
    lab.blackhole(2, true);
    await waitFor('line2 out', () => lab.routeDevs().join() === 'r1', 30_000, () => d.output);
    await d.kill9();
    const before = mon.events().length;
    d.start();
    // wait until both monitors have reported a full statistics window (50 probes > DOWN and UP)
    await waitFor('statistics of both targets', () => (d.status().match(/^target .* loss=/gm) ?? []).length === 2, 30_000, () => d.output + d.status());
    expect(mon.events().length).toBe(before);
    expect(d.routeChanges()).toBe(0);
    expect(d.status()).toMatch(/^uplink line2 down dev=r2 active=no /m);
    expect(d.output).toMatch(/in the route: +1 *$/m);
    lab.blackhole(2, false);
    await waitFor('line2 back', () => lab.routeDevs().join() === 'r1,r2', 30_000, () => d.output);
    await settle(before + 1, 1);
    expect(mon.events().length).toBe(before + 1);
  });

  it('restores every line and stops its probes on SIGTERM', async () => {
    lab.blackhole(1, true);
    await waitFor('line1 out', () => lab.routeDevs().join() === 'r2', 30_000, () => d.output);
    const pid = d.pid;
    const code = await d.stop();
    expect(code).toBe(0);
    expect(lab.routeDevs()).toEqual(['r1', 'r2']);
    expect(d.status()).toMatch(/^state=stopped$/m);
    // no ping or monitor left behind in the router namespace
    // (`ip -n NS monitor` itself lives in the namespace: leave it out)
    const left = trySh('ip', ['netns', 'pids', lab.ns.router]).out.split('\n').filter((p) => p !== '' && p !== String(mon.pid));
    expect(left).toEqual([]);
    expect(d.statusCommand().out).toMatch(/^running=no$/m);
    expect(pid).toBeGreaterThan(0);
    lab.blackhole(1, false);
  });
});

describe.skipIf(why !== undefined)('keepalive lab: a full transition under each shell', () => {
  for (const [shell, argv] of Object.entries(SHELLS)) {
    it(`${shell}: out, back in, restored on stop`, async () => {
      const lab = new Lab(`${PREFIX}-${shell.slice(0, 2)}`, 2);
      let inst: Installed | undefined;
      let d: Daemon | undefined;
      let watch: StatusWatch | undefined;
      try {
        lab.create();
        inst = install(labModel({ n: 2 }));
        watch = new StatusWatch(inst.run, 'lab', 2);
        d = new Daemon(lab, inst, 'lab', argv);
        d.start();
        await waitFor('running', () => d!.status().includes('state=running'), 20_000, () => d!.output);
        lab.blackhole(2, true);
        await waitFor('line2 out', () => lab.routeDevs().join() === 'r1', 30_000, () => d!.output);
        expect(lab.flowDevs(100).get('r2') ?? 0).toBe(0);
        lab.blackhole(2, false);
        await waitFor('line2 back', () => lab.routeDevs().join() === 'r1,r2', 30_000, () => d!.output);
        await waitFor('status caught up', () => d!.routeChanges() >= 2, 10_000, () => d!.status());
        expect(d.routeChanges()).toBe(2);
        lab.blackhole(1, true);
        await waitFor('line1 out', () => lab.routeDevs().join() === 'r2', 30_000, () => d!.output);
        expect(await d.stop()).toBe(0);
        expect(lab.routeDevs()).toEqual(['r1', 'r2']);
        expect(d.output).toMatch(/restored every uplink/);
        // the status file was only ever replaced whole: `mpgen check` reading it
        // at any moment sees the old file or the new one, never a torn one
        watch.stop();
        expect(watch.inPlace).toEqual([]);
        expect(watch.renames).toBeGreaterThanOrEqual(4);
        expect(watch.reads).toBeGreaterThan(100);
        expect(watch.torn).toEqual([]);
      } finally {
        watch?.stop();
        await d?.stop();
        lab.destroy();
        if (inst) cleanupDir(inst.dir);
      }
    });
  }
});

describe.skipIf(why !== undefined)('keepalive lab: quorum of two targets (gateway and a far target)', () => {
  it('a dead far target takes the line out although the modem still answers', async () => {
    const lab = new Lab(`${PREFIX}-q`, 2);
    let inst: Installed | undefined;
    let d: Daemon | undefined;
    try {
      lab.create();
      inst = install(labModel({ n: 2, probe: (i) => [`198.51.100.${8 * i + 1}`, '203.0.113.10'] }));
      expect(readFileSync(join(inst.etc, 'lab.conf'), 'utf8')).toMatch(/^UPLINK_1_QUORUM=2$/m);
      d = new Daemon(lab, inst);
      d.start();
      await waitFor('running', () => d!.status().includes('state=running'), 20_000, () => d!.output);
      lab.blackhole(1, true);
      await waitFor('line1 out', () => lab.routeDevs().join() === 'r2', 30_000, () => d!.output);
      await waitFor('status written', () => /^uplink line1 down/m.test(d!.status()), 30_000, () => d!.status());
      expect(d.status()).toMatch(/^uplink line1 down dev=r1 active=no targets_up=1\/2 quorum=2 /m);
      expect(d.status()).toMatch(/^target line1 198\.51\.100\.9 up/m);
    } finally {
      await d?.stop();
      lab.destroy();
      if (inst) cleanupDir(inst.dir);
    }
  });
});

describe.skipIf(why !== undefined)('keepalive lab: teql path with a recording tc stub (the host kernel has no teql)', () => {
  it('detaches and re-attaches only the dead slave', async () => {
    const lab = new Lab(`${PREFIX}-t`, 2);
    let inst: Installed | undefined;
    let d: Daemon | undefined;
    try {
      lab.create({ multipathRoute: false });
      inst = install(labModel({ n: 2, mode: 'teql' }));
      const conf = readFileSync(join(inst.etc, 'lab.conf'), 'utf8');
      expect(conf).toMatch(/^BOND=teql0$/m);
      expect(conf).not.toMatch(/^TABLE=/m);
      const { path, state } = tcStub(inst, ['r1', 'r2']);
      d = new Daemon(lab, inst, 'lab', ['dash'], { PATH: path });
      d.start();
      await waitFor('running', () => d!.status().includes('state=running'), 20_000, () => d!.output);
      expect(existsSync(join(inst.dir, 'tc.log'))).toBe(false);
      lab.blackhole(2, true);
      await waitFor('r2 detached', () => !existsSync(join(state, 'r2')), 30_000, () => d!.output);
      expect(readFileSync(join(inst.dir, 'tc.log'), 'utf8')).toBe('qdisc del dev r2 root\n');
      await waitFor('status written', () => /^uplink line2 down/m.test(d!.status()), 30_000, () => d!.status());
      expect(d.status()).toMatch(/^uplink line2 down dev=r2 active=no /m);
      lab.blackhole(2, false);
      await waitFor('r2 attached', () => existsSync(join(state, 'r2')), 30_000, () => d!.output);
      expect(readFileSync(join(inst.dir, 'tc.log'), 'utf8')).toBe('qdisc del dev r2 root\nqdisc add dev r2 root teql0\n');
      // fail open: both dead, both stay attached
      lab.blackhole(1, true);
      lab.blackhole(2, true);
      await waitFor('fail-open', () => d!.output.includes('failing open'), 30_000, () => d!.output);
      await waitFor('both down', () => /^uplink line1 down/m.test(d!.status()) && /^uplink line2 down/m.test(d!.status()), 30_000, () => d!.status());
      expect(existsSync(join(state, 'r1')) && existsSync(join(state, 'r2'))).toBe(true);
      // drift: r1 heals, r2 stays dead and is detached; someone re-attaches it: the periodic check detaches it again
      lab.blackhole(1, false);
      await waitFor('r2 detached', () => !existsSync(join(state, 'r2')), 30_000, () => d!.output);
      writeFileSync(join(state, 'r2'), '');
      await waitFor('drift repaired', () => /drift \(check\): slaves of teql0: line1 line2; repaired: line1/.test(d!.output), 15_000, () => d!.output);
      expect(existsSync(join(state, 'r2'))).toBe(false);
      expect(readFileSync(join(inst.dir, 'tc.log'), 'utf8')).not.toMatch(/unexpected/);
    } finally {
      await d?.stop();
      lab.destroy();
      if (inst) cleanupDir(inst.dir);
    }
  });
});

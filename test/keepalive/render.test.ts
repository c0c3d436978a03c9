/**
 * The keepalive contribution: files, configuration keys, the script's strict
 * configuration parser (L1/L2 for the .conf), shellcheck (L1), and the unit
 * read by the real systemd-analyze (L2).
 */
import { renderContext } from '../../src/backends/backend.js';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { farTiming, keepalive, METRICS_DIRS, quorum, worstCaseDetectionMs, KEEPALIVE_DEFAULTS } from '../../src/backends/keepalive.js';
import type { Model } from '../../src/model/model.js';
import type { Distro } from '../../src/distros/distro.js';
import { missing } from '../support/require.js';
import { assertLabTargets } from '../support/lab-targets.js';
import { fixtureModel } from '../support/fixtures.js';
import { SHELLS, configOf, install, labModel, sh, trySh } from './lab.js';

const distro: Distro = {
  name: 'debian',
  family: 'debian',
  release: '12',
  description: 'Debian 12',
  defaultBackend: 'eni',
  backends: ['eni', 'networkd', 'netplan', 'nm'],
  packageFormat: 'deb',
  versions: { systemd: 252, iproute2: '6.1' },
  paths: { hooks: '/usr/sbin', networkScripts: '/etc/network', libexec: '/usr/libexec/mpgen', units: '/usr/lib/systemd/system' },
};
const ctx = (m = labModel({ n: 2 })) => (renderContext(m, distro));

describe('keepalive contribution', () => {
  it('plans the script, the configuration and the unit of the profile, and enables it', () => {
    const c = keepalive(ctx());
    expect(c.files.map((f) => [f.path, f.mode.toString(8), f.config])).toEqual([
      ['/usr/libexec/mpgen/lab-keepalive', '755', false],
      ['/etc/mpgen/lab.conf', '644', true],
      ['/usr/lib/systemd/system/mpgen-keepalive-lab.service', '644', false],
    ]);
    expect(c.enable).toEqual(['mpgen-keepalive-lab.service']);
    expect(c.depends).toEqual({ deb: ['iproute2', 'iputils-ping'], rpm: ['iproute', 'iputils'] });
    const unit = c.files[2]!.content;
    expect(unit).toMatch(/^ExecStart=\/usr\/libexec\/mpgen\/lab-keepalive run lab$/m);
    expect(unit).toMatch(/^CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW$/m);
    expect(unit).toMatch(/^AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW$/m);
    expect(unit).toMatch(/^RestrictAddressFamilies=AF_UNIX AF_INET AF_NETLINK$/m);
    expect(c.files[0]!.content.startsWith('#!/bin/sh\n')).toBe(true);
  });

  it('keeps a profile path with a newline inside one comment line', () => {
    const m = { ...labModel({ n: 1 }), source: 'evil\ntouch /tmp/PWNED\n.yaml' };
    for (const f of keepalive(ctx(m)).files) expect(f.content).not.toMatch(/^touch /m);
  });

  it('contributes nothing when disabled', () => {
    expect(keepalive(ctx(labModel({ n: 2, keepalive: { enabled: false } })))).toEqual({ files: [] });
  });

  it('arping adds the package and packet sockets', () => {
    const c = keepalive(ctx(labModel({ n: 1, keepalive: { method: 'arping' } })));
    expect(c.depends?.deb).toContain('arping');
    expect(c.files[2]!.content).toMatch(/^RestrictAddressFamilies=AF_UNIX AF_INET AF_NETLINK AF_PACKET$/m);
  });

  it('writes one KEY=VALUE per line with uplinks numbered from 1', () => {
    const conf = configOf(labModel({ n: 2, weights: [1, 3], probe: (i) => (i === 1 ? ['198.51.100.9', '203.0.113.10', '203.0.113.11'] : []) }));
    const lines = conf.split('\n').filter((l) => l && !l.startsWith('#'));
    for (const l of lines) expect(l).toMatch(/^[A-Z][A-Z0-9_]*=[A-Za-z0-9_./ -]*$/);
    expect(lines).toContain('MODE=multipath');
    expect(lines).toContain('TABLE=222');
    expect(lines).toContain('ROUTES=default');
    expect(lines).toContain('UPLINK_1_PROBE=198.51.100.9 203.0.113.10 203.0.113.11');
    expect(lines).toContain('UPLINK_1_QUORUM=2');
    expect(lines).toContain('UPLINK_2_PROBE=');
    expect(lines).toContain('UPLINK_2_WEIGHT=3');
    expect(lines).toContain('UPLINK_2_CONNTRACK=198.51.100.18');
  });

  it('writes the steering keys from the state: far targets, tiers, marks, policies, the helper', () => {
    const m = steered();
    const lines = configOf(m).split('\n');
    for (const l of lines.filter((x) => x && !x.startsWith('#'))) expect(l).toMatch(/^[A-Z][A-Z0-9_]*=[A-Za-z0-9_./ -]*$/);
    expect(lines).toEqual(
      expect.arrayContaining([
        'FAR_INTERVAL_MS=200',
        'FAR_DOWN=2',
        'FAR_UP=3',
        'MARK_MASK=0x3f00',
        'FIREWALL=/usr/libexec/mpgen/lab-firewall',
        'METRICS_DIR=/var/lib/prometheus/node-exporter /var/lib/node_exporter/textfile_collector',
        'UPLINK_1_FAR=203.0.113.10 203.0.113.20',
        // gateway + 2 far targets: a strict majority of 3
        'UPLINK_1_QUORUM=2',
        'UPLINK_1_TIER=1',
        'UPLINK_1_MARK=0x100',
        'UPLINK_2_TIER=2',
        'UPLINK_2_MARK=0x200',
        'POLICIES=2',
        'POLICY_1_NAME=voip',
        'POLICY_1_UPLINKS=2 1',
        'POLICY_1_FALLBACK=none',
        'POLICY_2_NAME=web',
        'POLICY_2_UPLINKS=1',
        'POLICY_2_FALLBACK=balance',
      ]),
    );
  });

  it('without a firewall: no marks, no policies, no helper', () => {
    const m = steered();
    m.firewall = 'none';
    m.routing.pinFlows = false;
    const lines = configOf(m).split('\n');
    expect(lines).toEqual(expect.arrayContaining(['FIREWALL=', 'UPLINK_1_MARK=', 'UPLINK_2_MARK=', 'POLICIES=0']));
    expect(lines.filter((l) => l.startsWith('POLICY_'))).toEqual([]);
  });

  it('far targets run at half the rate with down and up halved, lost within their interval: 2.5 s worst case with the defaults', () => {
    const f = farTiming({ intervalMs: 250, timeoutMs: 750, down: KEEPALIVE_DEFAULTS.down, up: KEEPALIVE_DEFAULTS.up });
    expect(f).toEqual({ intervalMs: 500, timeoutMs: 500, down: 4, up: 10 });
    expect(worstCaseDetectionMs(f)).toBe(2500);
    expect(farTiming({ intervalMs: 500, timeoutMs: 300, down: 3, up: 10 }).timeoutMs).toBe(300);
  });

  it('lists both textfile directories; the unit links them as root around the sandboxed daemon', () => {
    expect(METRICS_DIRS).toEqual(['/var/lib/prometheus/node-exporter', '/var/lib/node_exporter/textfile_collector']);
    const unit = keepalive(ctx()).files[2]!.content;
    expect(unit).toMatch(/^ExecStartPre=\+\S+-keepalive metrics-link lab$/m);
    expect(unit).toMatch(/^ExecStopPost=\+\S+-keepalive metrics-unlink lab$/m);
    expect(unit).not.toMatch(/ReadWritePaths/);
  });

  it('notes tiers, only when there are several', () => {
    expect(keepalive(ctx(steered())).notes?.join('\n')).toMatch(/tiers 1, 2: the balance is the live uplinks of the lowest tier/);
    expect(keepalive(ctx()).notes?.join('\n') ?? '').not.toMatch(/tiers/);
  });

  it('notes an uplink without probe target', () => {
    const c = keepalive(ctx(labModel({ n: 2, probe: (i) => (i === 1 ? [] : ['203.0.113.10']) })));
    expect(c.notes?.join('\n')).toMatch(/line1 has no probe target/);
    // far targets monitor it
    const m = labModel({ n: 2, probe: (i) => (i === 1 ? [] : ['203.0.113.10']) });
    m.uplinks[0]!.far = ['203.0.113.20'];
    expect(keepalive(ctx(m)).notes?.join('\n') ?? '').not.toMatch(/no probe target/);
  });

  it('quorum is a strict majority', () => {
    expect([1, 2, 3, 4, 5].map(quorum)).toEqual([1, 2, 2, 3, 3]);
  });

  it('the recommended defaults detect a blackhole within 3 s in the worst case', () => {
    const d = worstCaseDetectionMs({ intervalMs: 250, timeoutMs: 750, down: KEEPALIVE_DEFAULTS.down });
    expect(d).toBe(2750);
    expect(worstCaseDetectionMs({ intervalMs: 500, timeoutMs: 1000, down: 3 })).toBe(2500);
  });
});

/** Two uplinks, the second of tier 2, far targets, marks and two policies (as the profile rules would let through). */
function steered(): Model {
  const m = labModel({ n: 2, probe: (i) => [`198.51.100.${8 * i + 1}`], keepalive: { targets: ['203.0.113.10', '203.0.113.20'] } });
  m.uplinks[1]!.tier = 2;
  for (const u of m.uplinks) u.far = ['203.0.113.10', '203.0.113.20'];
  m.firewall = 'nftables';
  m.routing.pinFlows = true;
  m.policies = [
    { name: 'voip', index: 0, protocol: 'udp', dport: [{ from: 5060, to: 5060 }], sport: [], src: [], dst: [], uplinks: ['line2', 'line1'], fallback: 'none' },
    { name: 'web', index: 1, dport: [], sport: [], src: [], dst: ['203.0.113.0/24'], uplinks: ['line1'], fallback: 'balance' },
  ];
  return m;
}

const noShells = missing({ commands: ['dash', 'bash', 'busybox', 'shellcheck'] });

describe.skipIf(noShells !== undefined)('keepalive script: lint and configuration parser', () => {
  it('is clean for shellcheck -s sh and parses under dash, bash and busybox sh', () => {
    const inst = install(labModel({ n: 2 }));
    try {
      const r = trySh('shellcheck', ['-s', 'sh', '-f', 'gcc', inst.script]);
      expect(r.out).toBe('');
      expect(r.ok).toBe(true);
      for (const argv of Object.values(SHELLS)) expect(trySh(argv[0]!, [...argv.slice(1), '-n', inst.script]).ok).toBe(true);
    } finally {
      rmSync(inst.dir, { recursive: true, force: true });
    }
  });

  it('accepts the rendered configuration under every shell', () => {
    const inst = install(labModel({ n: 3, probe: (i) => ['203.0.113.10', `198.51.100.${8 * i + 1}`] }));
    try {
      for (const argv of Object.values(SHELLS)) {
        const out = sh('env', [`MPGEN_ETC=${inst.etc}`, ...argv, inst.script, 'check', 'lab']);
        expect(out).toBe('ok lab: mode multipath, 3 uplinks, interval 100 ms, timeout 300 ms, down 4, up 6\n');
      }
    } finally {
      rmSync(inst.dir, { recursive: true, force: true });
    }
  });

  it('accepts a rendered configuration with tiers, far targets, marks and policies under every shell', () => {
    const inst = install(steered());
    try {
      for (const argv of Object.values(SHELLS)) {
        const out = sh('env', [`MPGEN_ETC=${inst.etc}`, ...argv, inst.script, 'check', 'lab']);
        expect(out).toBe('ok lab: mode multipath, 2 uplinks, interval 100 ms, timeout 300 ms, down 4, up 6\n');
      }
    } finally {
      rmSync(inst.dir, { recursive: true, force: true });
    }
  });

  const hostile: Array<[string, string, RegExp]> = [
    ['command substitution in a value', 'NAME=$(touch PWNED)', /invalid value for NAME/],
    ['backticks in a list', 'UPLINK_1_PROBE=203.0.113.10 `touch PWNED`', /invalid value for UPLINK_1_PROBE/],
    ['semicolon in a device', 'UPLINK_1_DEV=r1;touch PWNED', /invalid value for UPLINK_1_DEV/],
    ['an unknown key', 'PATH=/tmp', /unknown key PATH/],
    ['a key that is not in the whitelist of uplink fields', 'UPLINK_1_EVIL=1', /invalid value for UPLINK_1_EVIL/],
    ['an address with an octal octet', 'UPLINK_1_GW=198.51.100.011', /invalid value for UPLINK_1_GW/],
    ['an octet over 255', 'UPLINK_1_SRC=198.51.100.256', /invalid value for UPLINK_1_SRC/],
    ['a shell line', 'touch PWNED', /not a KEY=VALUE line/],
    ['an interface that looks like an option', 'UPLINK_1_DEV=-rf', /invalid value for UPLINK_1_DEV/],
    ['a route that is not a CIDR', 'ROUTES=default 192.0.2.0/33', /invalid value for ROUTES/],
    ['a relative firewall helper', 'FIREWALL=fw', /invalid value for FIREWALL/],
    ['a helper path that climbs', 'FIREWALL=/usr/libexec/../../tmp/x', /invalid value for FIREWALL/],
    ['a helper with a space', 'FIREWALL=/usr/bin/env touch', /invalid value for FIREWALL/],
    ['a mark that is not hex', 'UPLINK_1_MARK=256', /invalid value for UPLINK_1_MARK/],
    ['a mask with a command', 'MARK_MASK=0x3f00;id', /invalid value for MARK_MASK/],
    ['a tier that is not a number', 'UPLINK_1_TIER=first', /invalid value for UPLINK_1_TIER/],
    ['a tier 0', 'UPLINK_1_TIER=0', /UPLINK_1_TIER must be at least 1/],
    ['a far target that is a name', 'UPLINK_1_FAR=one.one.one.one', /invalid value for UPLINK_1_FAR/],
    ['a relative metrics directory', 'METRICS_DIR=/var/lib/x tmp', /invalid value for METRICS_DIR/],
    ['a policy field outside the whitelist', 'POLICY_1_EVIL=1', /invalid value for POLICY_1_EVIL/],
    ['a policy fallback that is not balance or none', 'POLICY_1_FALLBACK=drop', /invalid value for POLICY_1_FALLBACK/],
    ['a policy without uplinks', 'POLICY_1_UPLINKS=', /invalid value for POLICY_1_UPLINKS/],
    ['a policy naming a missing uplink', 'POLICIES=1\nPOLICY_1_NAME=voip\nPOLICY_1_FALLBACK=none\nPOLICY_1_UPLINKS=3', /POLICY_1_UPLINKS: no uplink 3/],
    ['a policy count without its policy', 'POLICIES=1', /POLICY_1_NAME is missing/],
  ];
  for (const [what, line, err] of hostile) {
    it(`rejects ${what}, without running anything`, () => {
      const inst = install(labModel({ n: 1 }));
      try {
        const conf = join(inst.etc, 'lab.conf');
        writeFileSync(conf, readFileSync(conf, 'utf8') + line + '\n');
        for (const argv of Object.values(SHELLS)) {
          const r = trySh('sh', ['-c', `cd '${inst.dir}' && MPGEN_ETC='${inst.etc}' exec "$@"`, 'x', ...argv, inst.script, 'check', 'lab']);
          expect(r.ok).toBe(false);
          expect(r.out).toMatch(err);
          expect(existsSync(join(inst.dir, 'PWNED'))).toBe(false);
        }
      } finally {
        rmSync(inst.dir, { recursive: true, force: true });
      }
    });
  }

  it('exits 78 (EX_CONFIG, not restarted by the unit) on a bad configuration', () => {
    const inst = install(labModel({ n: 1 }));
    try {
      writeFileSync(join(inst.etc, 'lab.conf'), 'VERSION=2\n');
      let code = 0;
      try {
        sh('env', [`MPGEN_ETC=${inst.etc}`, 'dash', inst.script, 'check', 'lab']);
      } catch (e) {
        code = (e as { status: number }).status;
      }
      expect(code).toBe(78);
    } finally {
      rmSync(inst.dir, { recursive: true, force: true });
    }
  });

  it('prints the reason of a refusal alone, without its exit status, under every shell', () => {
    const inst = install(labModel({ n: 1 }));
    try {
      const conf = join(inst.etc, 'lab.conf');
      const run = (argv: string[], ...args: string[]) => spawnSync('env', [`MPGEN_ETC=${inst.etc}`, ...argv, inst.script, ...args], { encoding: 'utf8' });
      for (const [shell, argv] of Object.entries(SHELLS)) {
        rmSync(conf, { force: true });
        let r = run(argv, 'check', 'lab');
        expect([r.status, r.stdout, r.stderr], shell).toEqual([78, '', `mpgen-keepalive[lab]: error: cannot read ${conf}\n`]);
        writeFileSync(conf, 'VERSION=2\n');
        r = run(argv, 'check', 'lab');
        expect([r.status, r.stdout, r.stderr], shell).toEqual([78, '', `mpgen-keepalive[lab]: error: ${conf}:1: invalid value for VERSION\n`]);
        // die without a status: exit 1
        r = run(argv, 'run');
        expect([r.status, r.stdout, r.stderr], shell).toEqual([1, '', 'mpgen-keepalive[?]: error: usage: keepalive run NAME\n']);
      }
    } finally {
      rmSync(inst.dir, { recursive: true, force: true });
    }
  });
});

const noSystemd = missing({ commands: ['systemd-analyze'] });

describe.skipIf(noSystemd !== undefined)('keepalive unit: systemd-analyze', () => {
  /**
   * The rendered files go into a root next to a copy of this host's own
   * /usr/lib/systemd/system (for sysinit.target and friends), so verify checks
   * the real ExecStart path inside the root: no stub, no rewritten path.
   */
  function root(): string {
    const dir = mkdtempSync(join(tmpdir(), 'mpk-unit-'));
    cpSync('/usr/lib/systemd/system', join(dir, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    for (const f of keepalive(ctx()).files) {
      const p = join(dir, f.path);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, f.content);
      chmodSync(p, f.mode);
    }
    return dir;
  }

  it('passes systemd-analyze verify for the unit, and fails without the script', () => {
    const dir = root();
    try {
      const ok = trySh('systemd-analyze', ['verify', `--root=${dir}`, 'mpgen-keepalive-lab.service']);
      expect(ok.out).toBe('');
      expect(ok.ok).toBe(true);
      rmSync(join(dir, 'usr/libexec/mpgen/lab-keepalive'));
      const bad = trySh('systemd-analyze', ['verify', `--root=${dir}`, 'mpgen-keepalive-lab.service']);
      expect(bad.ok).toBe(false);
      expect(bad.out).toMatch(/keepalive is not executable/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has an exposure of 2.5 or less in systemd-analyze security --offline=true', () => {
    const dir = root();
    try {
      const out = trySh('systemd-analyze', ['security', '--offline=true', `--root=${dir}`, '--no-pager', 'mpgen-keepalive-lab.service']).out;
      const m = /Overall exposure level for mpgen-keepalive-lab\.service: ([0-9.]+)/.exec(out);
      expect(m, out).not.toBeNull();
      expect(Number(m![1])).toBeLessThanOrEqual(2.5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the labs refuse a configuration that would probe a public address (the default far targets)', () => {
    const m = fixtureModel('seed001-multipath');
    expect(m.uplinks[0]!.far).toEqual(['1.1.1.1', '8.8.8.8']);
    const conf = keepalive(ctx(m)).files[1]!.content;
    expect(() => assertLabTargets(conf)).toThrow(/would probe 1\.1\.1\.1, 8\.8\.8\.8/);
    expect(() => assertLabTargets(keepalive(ctx()).files[1]!.content)).not.toThrow();
  });
});

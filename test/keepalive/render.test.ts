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
import { keepalive, quorum, worstCaseDetectionMs, KEEPALIVE_DEFAULTS } from '../../src/backends/keepalive.js';
import type { Distro } from '../../src/distros/distro.js';
import { missing } from '../support/require.js';
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

  it('notes an uplink without probe target', () => {
    const c = keepalive(ctx(labModel({ n: 2, probe: (i) => (i === 1 ? [] : ['203.0.113.10']) })));
    expect(c.notes?.join('\n')).toMatch(/line1 has no probe target/);
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
});

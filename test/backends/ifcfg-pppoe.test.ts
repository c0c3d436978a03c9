/**
 * The ifcfg backend with a PPPoE uplink (L2): ifcfg-eth2 (up, no address) and ifcfg-ppp0 (TYPE=xDSL,
 * read by ifup-ppp and pppoe-connect), both sourced for real under dash with `set -u` and read back;
 * no password in any ifcfg file; the inline password's file 0600; the hooks run under dash and bash
 * with stubs on PATH: ifup-pre-local runs the secrets helper for ifcfg-ppp0, ifup-local routes the
 * session in table 202 once ppp0 is up.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFromText } from '../../src/model/load.js';
import { renderPlan } from '../../src/plan/render.js';
import type { PlannedFile } from '../../src/plan/plan.js';
import { missing } from '../support/require.js';
import { commandLines, shellcheck, stubDir, tempDir } from './ifcfg-support.js';

const NS = '/etc/sysconfig/network-scripts';
const HELPER = '/usr/libexec/mpgen/lab-x-ppp-secrets';
const PASSWORD = 'pa ss#w0rd';

const profile = (secret: string) => `version: 1
name: lab-x
mode: multipath
uplinks:
  - {name: line1, interface: eth1, address: 198.51.100.2/29, gateway: 198.51.100.1}
  - {name: dsl, interface: eth2, address: pppoe, pppoe: {username: u@isp.example, ${secret}, service: ISP1}}
nat: masquerade
firewall: nftables
keepalive: {interval: 100ms, timeout: 300ms, down: 4, up: 6, targets: [192.0.2.9]}
`;
const render = (secret: string) => renderPlan(loadModelFromText(profile(secret), 'x.yaml').model, 'rhel8', 'ifcfg');
const plan = render('password_file: /etc/mpgen/secrets/dsl');
const inline = render(`password: "${PASSWORD}"`);

const fileOf = (p: { files: PlannedFile[] }, path: string): PlannedFile => {
  const f = p.files.find((x) => x.path === path);
  if (!f) throw new Error(`not rendered: ${path}; have ${p.files.map((x) => x.path).join(', ')}`);
  return f;
};
const file = (path: string) => fileOf(plan, path);

const ETH2_KEYS = ['DEVICE', 'NAME', 'ONBOOT', 'BOOTPROTO', 'DEFROUTE', 'NM_CONTROLLED', 'NOZEROCONF', 'IPADDR', 'PREFIX', 'GATEWAY'];
const PPP0_KEYS = [
  'DEVICE', 'NAME', 'TYPE', 'ETH', 'USER', 'ONBOOT', 'BOOTPROTO', 'DEFROUTE', 'PEERDNS', 'PERSIST', 'DEMAND', 'SYNCHRONOUS', 'CLAMPMSS',
  'FIREWALL', 'LCP_INTERVAL', 'LCP_FAILURE', 'CONNECT_TIMEOUT', 'CONNECT_POLL', 'PIDFILE', 'MTU', 'MRU', 'SERVICENAME', 'PPPD_EXTRA',
  'NM_CONTROLLED', 'PASS', 'PASSWORD',
];

const dashMissing = missing({ commands: ['dash'] });

/** Source an ifcfg file under dash with `set -u` in a subshell, print KEY=VALUE for each key set. */
function sourced(content: string, keys: string[]): Record<string, string> {
  const dir = tempDir('mprh-ppp-src-');
  try {
    writeFileSync(join(dir, 'ifcfg'), content);
    const script = `set -eu; ( . "$1"; for k in ${keys.join(' ')}; do eval "[ -n \\"\\\${$k+x}\\" ]" && eval "printf '%s=%s\\\\n' $k \\"\\\$$k\\""; done; : )`;
    const r = spawnSync('dash', ['-c', script, 'sh', join(dir, 'ifcfg')], { env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return Object.fromEntries(
      r.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('ifcfg backend, PPPoE uplink: files', () => {
  it('the catalog lists pppoe for ifcfg; the packages; no peers file and no ip-up.d hooks', () => {
    expect(plan.depends.rpm).toEqual(expect.arrayContaining(['network-scripts', 'network-scripts-ppp', 'ppp', 'rp-pppoe']));
    const paths = plan.files.map((f) => f.path);
    expect(paths).toContain(HELPER);
    expect(paths.some((p) => p.startsWith('/etc/ppp/'))).toBe(false);
    expect(plan.onRemove).toContain(`${HELPER} remove`);
    expect(plan.notes.join('\n')).toMatch(/reads the password from \/etc\/mpgen\/secrets\/dsl/);
  });

  it.skipIf(dashMissing !== undefined)('ifcfg-eth2, sourced under dash -u: up at boot without an address', () => {
    expect(sourced(file(`${NS}/ifcfg-eth2`).content, ETH2_KEYS)).toEqual({
      DEVICE: 'eth2',
      NAME: 'mpgen-lab-x-dsl',
      ONBOOT: 'yes',
      BOOTPROTO: 'none',
      DEFROUTE: 'no',
      NM_CONTROLLED: 'no',
      NOZEROCONF: 'yes',
    });
  });

  it.skipIf(dashMissing !== undefined)('ifcfg-ppp0, sourced under dash -u: TYPE=xDSL over eth2, no password, pppd options in PPPD_EXTRA', () => {
    expect(sourced(file(`${NS}/ifcfg-ppp0`).content, PPP0_KEYS)).toEqual({
      DEVICE: 'ppp0',
      NAME: 'mpgen-lab-x-dsl-ppp',
      TYPE: 'xDSL',
      ETH: 'eth2',
      USER: 'u@isp.example',
      ONBOOT: 'yes',
      BOOTPROTO: 'none',
      DEFROUTE: 'no',
      PEERDNS: 'no',
      PERSIST: 'yes',
      DEMAND: 'no',
      SYNCHRONOUS: 'no',
      CLAMPMSS: 'no',
      FIREWALL: 'NONE',
      LCP_INTERVAL: '2',
      LCP_FAILURE: '3',
      CONNECT_TIMEOUT: '60',
      CONNECT_POLL: '6',
      PIDFILE: '/var/run/pppoe-ppp0.pid',
      MTU: '1492',
      MRU: '1492',
      SERVICENAME: 'ISP1',
      PPPD_EXTRA: 'unit 0 remotename mpgen-lab-x-dsl ipparam ppp0',
      NM_CONTROLLED: 'no',
    });
  });

  it('no password in any ifcfg, route- or rule- file; the inline one only in its 0600 file', () => {
    for (const p of [plan, inline]) {
      for (const f of p.files.filter((x) => x.path.startsWith(`${NS}/`))) {
        expect(f.content).not.toContain(PASSWORD);
        expect(f.content).not.toMatch(/^PASS(WORD)?=/m);
      }
    }
    const secret = fileOf(inline, '/etc/mpgen/secrets/lab-x-dsl');
    expect(secret.mode).toBe(0o600);
    expect(secret.content).toBe(`"${PASSWORD}"\n`);
    expect(inline.files.filter((f) => f.content.includes(PASSWORD)).map((f) => f.path)).toEqual(['/etc/mpgen/secrets/lab-x-dsl']);
    expect(plan.files.some((f) => f.path.startsWith('/etc/mpgen/secrets/'))).toBe(false);
    expect(fileOf(inline, HELPER).content).toContain('"@/etc/mpgen/secrets/lab-x-dsl"');
  });

  it('route-eth2: the prohibit fallback only; rule-eth2: the fwmark rule and the shared rules, no `from` rule; no route-ppp0', () => {
    expect(commandLines(file(`${NS}/route-eth2`).content)).toEqual(['prohibit default table 202 proto static metric 1']);
    expect(commandLines(file(`${NS}/rule-eth2`).content)).toEqual(['priority 202 fwmark 0x200/0x3f00 table 202', 'priority 200 table main suppress_prefixlength 0', 'priority 222 table 222']);
    expect(plan.files.some((f) => f.path === `${NS}/route-ppp0` || f.path === `${NS}/rule-ppp0`)).toBe(false);
  });

  it('the multipath function has the static nexthop only (ppp0 is the keepalive\'s)', () => {
    const c = file('/usr/sbin/ifup-local').content;
    expect(c).toContain('if mpgen_ready eth1; then set -- "$@" nexthop via 198.51.100.1 dev eth1 weight 1; fi');
    expect(c).not.toContain('mpgen_ready ppp0');
  });
});

/** Run a hook with the stubs first on PATH under SHELL; returns the recorded calls. */
function run(shell: string, script: string, args: string[], stubs: string, env: Record<string, string> = {}): string[] {
  const dir = tempDir('mprh-ppp-run-');
  try {
    writeFileSync(join(dir, 'hook'), script);
    const calls = join(dir, 'calls');
    writeFileSync(calls, '');
    const opts = shell === 'bash' ? ['--norc', '--noprofile'] : [];
    const r = spawnSync(shell, [...opts, join(dir, 'hook'), ...args], {
      env: { PATH: `${stubs}:/usr/bin:/bin`, MPGEN_CALLS: calls, HOME: dir, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return readFileSync(calls, 'utf8').split('\n').filter((l) => l !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const shell of ['dash', 'bash']) {
  const why = missing({ commands: [shell] });
  describe.skipIf(why !== undefined)(`the PPPoE hooks under ${shell}, with stubs`, () => {
    const stubs = stubDir(['ip', 'sysctl', 'logger', 'modprobe', 'tc', 'ifup']);
    // the secrets helper at its absolute path, replaced by a stub that records its call
    const helperStub = join(stubs, 'ppp-secrets');
    writeFileSync(helperStub, '#!/bin/sh\necho "ppp-secrets $*" >> "$MPGEN_CALLS"\nexit 0\n');
    chmodSync(helperStub, 0o755);
    afterAll(() => rmSync(stubs, { recursive: true, force: true }));
    const pre = file('/usr/sbin/ifup-pre-local').content.split(HELPER).join(helperStub);
    const up = file('/usr/sbin/ifup-local').content;

    it('ifup-pre-local: the secrets helper for ifcfg-ppp0 (a path too), nothing for the others', () => {
      expect(file('/usr/sbin/ifup-pre-local').content).toContain(`${HELPER} ensure`);
      expect(run(shell, pre, ['ifcfg-ppp0', 'boot'], stubs)).toEqual(['ppp-secrets ensure']);
      expect(run(shell, pre, [`${NS}/ifcfg-ppp0`], stubs)).toEqual(['ppp-secrets ensure']);
      for (const c of ['ifcfg-eth2', 'ifcfg-eth1', 'ifcfg-ppp1', '']) expect(run(shell, pre, [c], stubs)).toEqual([]);
    });

    it('ifup-local ppp0: rp_filter, then the session\'s route in table 202; no multipath change', () => {
      expect(run(shell, up, ['ppp0'], stubs, { STUB_UP: 'eth1 ppp0' })).toEqual([
        'sysctl -q -w net.ipv4.conf.ppp0.rp_filter=2',
        'ip -4 route replace default dev ppp0 table 202 proto static',
      ]);
    });

    it('ifup-local eth2 (the Ethernet) does nothing; eth1 rebuilds the multipath over itself', () => {
      expect(run(shell, up, ['eth2'], stubs, { STUB_UP: 'eth1 eth2' })).toEqual([]);
      expect(run(shell, up, ['eth1'], stubs, { STUB_UP: 'eth1' })).toEqual([
        'ip -o -4 addr show dev eth1 up',
        'ip route replace default table 222 proto static nexthop via 198.51.100.1 dev eth1 weight 1',
      ]);
    });
  });
}

describe.skipIf(dashMissing !== undefined)('the secrets helper for ifcfg, run for real under dash', () => {
  it('writes the @FILE lines whose server field is the remotename ifcfg-ppp0 gives pppd', () => {
    const dir = tempDir('mprh-ppp-sec-');
    try {
      const h = join(dir, 'helper');
      writeFileSync(h, file(HELPER).content);
      const r = spawnSync('dash', [h, 'ensure'], { env: { PATH: '/usr/bin:/bin', MPGEN_PPP_DIR: dir }, encoding: 'utf8' });
      expect(r.status).toBe(0);
      const line = '"u@isp.example" mpgen-lab-x-dsl "@/etc/mpgen/secrets/dsl" * # mpgen profile lab-x';
      for (const f of ['chap-secrets', 'pap-secrets']) expect(readFileSync(join(dir, f), 'utf8')).toBe(`${line}\n`);
      expect(file(`${NS}/ifcfg-ppp0`).content).toContain('remotename mpgen-lab-x-dsl');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const shellcheckMissing = missing({ commands: ['shellcheck'] });
describe.skipIf(shellcheckMissing !== undefined)('ifcfg backend, PPPoE uplink: shellcheck -s sh', () => {
  it('the hooks and the secrets helper', () => {
    const dir = tempDir('mprh-ppp-sc-');
    try {
      for (const p of ['/usr/sbin/ifup-pre-local', '/usr/sbin/ifup-local', '/usr/sbin/ifdown-local', HELPER]) {
        const r = shellcheck(file(p).content, dir, p.split('/').pop()!);
        expect(r.out).toBe('');
        expect(r.status).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

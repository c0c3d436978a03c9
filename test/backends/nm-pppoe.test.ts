/**
 * The nm backend with a PPPoE uplink (`address: pppoe`) beside a static one: a `type=pppoe`
 * keyfile whose routes go into the uplink's table (route-table, metric 0), an IP-less keyfile
 * for the parent Ethernet, and the password inline in the keyfile or, from a password file on
 * the box, added by a helper into /run/NetworkManager/system-connections. Every keyfile goes
 * through the real `nmcli --offline` (NM 1.42), which must read it back whole; the helper runs
 * under dash against a password with blanks, #, ;, a backslash and UTF-8.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFromText } from '../../src/model/load.js';
import { renderPlan } from '../../src/plan/render.js';
import { missing } from '../support/require.js';
import { runUnderDash, shellcheck, stubDir, tempDir } from './ifcfg-support.js';

const SC = '/etc/NetworkManager/system-connections';
const SRC = '/etc/mpgen/nm/lab';
const DISPATCHER = '/usr/lib/NetworkManager/dispatcher.d/50-mpgen-lab';
const UNIT = 'mpgen-nm-secrets-lab.service';
/** the password file's first line: leading and trailing blanks, #, ;, a backslash, a tab, UTF-8 */
const SECRET = ' pa ss#w;rd\\x\tü€ ';
const INLINE = 'in line#;pw';

const work = tempDir('mpnm-pppoe-');
const pwFile = join(work, 'dsl.secret');

const profile = (pppoe: string) => `version: 1
name: lab
mode: multipath
uplinks:
  - {name: line1, interface: eth1, address: 203.0.113.2/29, gateway: 203.0.113.1}
  - {name: dsl, interface: eth2, address: pppoe, pppoe: {username: u@isp.example, service: isp, ${pppoe}}}
nat: masquerade
firewall: nftables
keepalive: {interval: 100ms, timeout: 300ms, down: 4, up: 6, targets: [203.0.113.10]}
`;
const FILE_PROFILE = profile(`password_file: "${pwFile}"`);
const INLINE_PROFILE = profile(`password: "${INLINE}"`);

const render = (text: string, distro: string) => renderPlan(loadModelFromText(text, 'x.yaml').model, distro, 'nm');
type Plan = ReturnType<typeof render>;
const file = (plan: Plan, path: string) => {
  const f = plan.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${plan.files.map((x) => x.path).join(', ')}`);
  return f;
};
const content = (plan: Plan, path: string): string => file(plan, path).content;

/** A keyfile's sections: name → its key=value lines, sorted (comments and blanks left out). */
function sections(k: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur = '';
  for (const l of k.split('\n')) {
    if (l === '' || l.startsWith('#')) continue;
    const m = /^\[(.+)\]$/.exec(l);
    if (m) out.set((cur = m[1]!), []);
    else out.get(cur)!.push(l);
  }
  for (const v of out.values()) v.sort();
  return out;
}
const section = (k: string, name: string): string[] => sections(k).get(name) ?? [];

/** GKeyFile's unescaping of a string value (\s \t \n \r \\). */
const unescape = (v: string): string => v.replace(/\\(.)/g, (_, c: string) => ({ s: ' ', t: '\t', n: '\n', r: '\r', '\\': '\\' })[c] ?? `\\${c}`);

function nmcliOffline(keyfile: string): { status: number | null; out: string; err: string } {
  const r = spawnSync('nmcli', ['--offline', '--show-secrets', 'connection', 'modify', 'connection.autoconnect', 'yes'], { input: keyfile, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

for (const distro of ['debian', 'rhel']) {
  describe(`nm backend, ${distro}: a PPPoE uplink beside a static one`, () => {
    const fp = render(FILE_PROFILE, distro);
    const ip = render(INLINE_PROFILE, distro);
    const dsl = content(fp, `${SRC}/mpgen-lab-dsl.nmconnection`);
    const inline = content(ip, `${SC}/mpgen-lab-dsl.nmconnection`);
    const parent = content(fp, `${SC}/mpgen-lab-dsl.parent.nmconnection`);

    it('the pppoe keyfile: type pppoe on eth2 as ppp0, infinite retries, the session values', () => {
      expect(section(dsl, 'connection').filter((l) => !l.startsWith('uuid='))).toEqual(['autoconnect-retries=0', 'autoconnect=true', 'id=mpgen-lab-dsl', 'interface-name=ppp0', 'type=pppoe']);
      expect(section(dsl, 'pppoe')).toEqual(['parent=eth2', 'password-flags=0', 'service=isp', 'username=u@isp.example']);
      expect(section(dsl, 'ppp')).toEqual(['lcp-echo-failure=3', 'lcp-echo-interval=2', 'mru=1492', 'mtu=1492']);
      expect(section(dsl, 'ipv6')).toEqual(['method=disabled']);
      // the helper appends the password line: [pppoe] must be the file's last section
      expect([...sections(dsl).keys()].at(-1)).toBe('pppoe');
    });

    it('its [ipv4]: the session\'s routes into table 202 at metric 0, never main; the prohibit fallback and the rules; no never-default', () => {
      expect(section(dsl, 'ipv4')).toEqual(
        [
          'method=auto',
          'route-metric=0',
          'route-table=202',
          'route1=0.0.0.0/0,0.0.0.0,1',
          'route1_options=table=202,type=prohibit',
          'routing-rule1=priority 202 from 0.0.0.0/0 fwmark 0x200/0x3f00 table 202',
          'routing-rule2=priority 200 from 0.0.0.0/0 suppress_prefixlength 0 table 254',
          'routing-rule3=priority 222 from 0.0.0.0/0 table 222',
        ].sort(),
      );
      // never-default would drop the session's default route (it belongs in table 202)
      expect(dsl).not.toMatch(/never-default|address1|gateway|method=manual/);
    });

    it('no keyfile puts a route into main: every route names its table, every automatic method has route-table', () => {
      for (const plan of [fp, ip]) {
        for (const f of plan.files.filter((x) => x.path.endsWith('.nmconnection'))) {
          for (const l of f.content.split('\n').filter((x) => /^route\d+_options=/.test(x))) expect(l, f.path).toMatch(/table=\d+/);
          if (/^method=auto$/m.test(f.content)) expect(f.content, f.path).toMatch(/^route-table=\d+$/m);
        }
      }
    });

    it('the parent Ethernet: no IPv4, no IPv6 (no automatic "Wired connection"), autoconnect', () => {
      expect(section(parent, 'connection').filter((l) => !l.startsWith('uuid='))).toEqual(['autoconnect-retries=0', 'autoconnect=true', 'id=mpgen-lab-dsl.parent', 'interface-name=eth2', 'type=ethernet']);
      expect(section(parent, 'ipv4')).toEqual(['method=disabled']);
      expect(section(parent, 'ipv6')).toEqual(['method=disabled']);
    });

    it('inline password: in the keyfile NM reads, mode 0600, password-flags=0, blanks escaped', () => {
      expect(file(ip, `${SC}/mpgen-lab-dsl.nmconnection`).mode).toBe(0o600);
      expect(section(inline, 'pppoe')).toContain('password=in\\sline#;pw');
      expect(section(inline, 'pppoe')).toContain('password-flags=0');
      expect(ip.files.some((f) => f.path.startsWith(SRC) || f.path.includes('nm-secrets'))).toBe(false);
      expect(ip.enable).not.toContain(UNIT);
      // the keyfile is the same but for its password
      const body = (k: string) => k.split('\n').filter((l) => !l.startsWith('#') && !l.startsWith('password='));
      expect(body(inline)).toEqual(body(dsl));
    });

    it('password file: the package holds no password; the keyfile waits outside NM\'s directories; the unit is enabled', () => {
      for (const f of fp.files) {
        expect(f.content, f.path).not.toMatch(/^password=/m);
        expect(f.content, f.path).not.toContain('pa ss');
      }
      expect(fp.files.some((f) => f.path === `${SC}/mpgen-lab-dsl.nmconnection`)).toBe(false);
      for (const f of fp.files.filter((x) => x.path.endsWith('.nmconnection'))) expect(f.mode, f.path).toBe(0o600);
      expect(fp.enable).toContain(UNIT);
      const unit = fp.files.find((f) => f.path.endsWith(`/${UNIT}`))!.content;
      expect(unit).toMatch(/^Before=NetworkManager\.service$/m);
      expect(unit).toMatch(/^Type=oneshot$/m);
      expect(unit).toMatch(/^WantedBy=NetworkManager\.service$/m);
      expect(fp.onRemove).toContain('rm -f /run/NetworkManager/system-connections/mpgen-lab-dsl.nmconnection');
      expect(fp.notes.join('\n')).toMatch(/first line of .*dsl\.secret on the box; mpgen does not ship it/);
    });

    it('the dispatcher: the PPP device is no nexthop it computes; its up sets its rp_filter, its down rewrites the static route', () => {
      const d = content(fp, DISPATCHER);
      expect(d).not.toMatch(/dev ppp0 weight|dev eth2 weight/);
      expect(d).toMatch(/if \[ "\$dev" = ppp0 \]; then\n\t\t\techo 2 >\/proc\/sys\/net\/ipv4\/conf\/ppp0\/rp_filter/);
      expect(d).toMatch(/\tup\)\n(?:.*\n)*?\t\tcase \$dev in\n\t\t\teth1\) mpgen_multipath ;;/);
      expect(d).toMatch(/\tdown\)\n\t\tcase \$dev in\n\t\t\teth1 \| eth2 \| ppp0\) mpgen_multipath ;;/);
    });
  });
}

const nmcliMissing = missing({ commands: ['nmcli'] });
describe.skipIf(nmcliMissing !== undefined)('nm PPPoE keyfiles: nmcli --offline reads each back whole', () => {
  const fp = render(FILE_PROFILE, 'debian');
  const ip = render(INLINE_PROFILE, 'debian');
  const cases: [string, string][] = [
    ['parent', content(fp, `${SC}/mpgen-lab-dsl.parent.nmconnection`)],
    ['pppoe, inline password', content(ip, `${SC}/mpgen-lab-dsl.nmconnection`)],
    ['pppoe, shipped without password', content(fp, `${SRC}/mpgen-lab-dsl.nmconnection`)],
  ];
  for (const [what, k] of cases) {
    it(what, () => {
      const r = nmcliOffline(k);
      expect(r.err).toBe('');
      expect(r.status).toBe(0);
      // nmcli drops a value it cannot read with exit 0: every section must come back whole
      const back = sections(r.out);
      // (nmcli writes defaults back as nothing, a /32 source bare, and escapes only a leading blank)
      const defaults = ['autoconnect=true', 'password-flags=0'];
      const norm = (xs: string[]) => xs.filter((l) => !defaults.includes(l)).map((l) => unescape(l.replace(/\/32 table/, ' table')));
      for (const [name, lines] of sections(k)) expect(norm(back.get(name) ?? []), `[${name}]`).toEqual(norm(lines));
    });
  }

  it('NM reads the inline password exactly', () => {
    const r = nmcliOffline(cases[1]![1]);
    const line = section(r.out, 'pppoe').find((l) => l.startsWith('password='))!;
    expect(unescape(line.slice('password='.length))).toBe(INLINE);
  });

  it('control: a misspelt value is dropped, and the comparison notices', () => {
    const bad = cases[2]![1].replace('route-table=202', 'route-table=main');
    expect(section(nmcliOffline(bad).out, 'ipv4')).not.toEqual(section(bad, 'ipv4'));
  });
});

const dashMissing = missing({ commands: ['dash'] });
describe.skipIf(dashMissing !== undefined)('nm PPPoE password helper under dash', () => {
  const fp = render(FILE_PROFILE, 'debian');
  const helper = fp.files.find((f) => f.path.endsWith('/lab-nm-secrets'))!;
  const src = join(work, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'mpgen-lab-dsl.nmconnection'), content(fp, `${SRC}/mpgen-lab-dsl.nmconnection`));
  const script = join(work, 'helper');
  writeFileSync(script, helper.content);

  function run(pw: string | null, runDir: string) {
    rmSync(pwFile, { force: true });
    if (pw !== null) writeFileSync(pwFile, pw, { mode: 0o600 });
    const r = spawnSync('dash', [script], { env: { PATH: '/usr/bin:/bin', MPGEN_NM_SRC_DIR: src, MPGEN_NM_RUN_DIR: runDir }, encoding: 'utf8' });
    return { status: r.status, err: r.stderr, out: r.stdout, path: join(runDir, 'mpgen-lab-dsl.nmconnection') };
  }

  it('names the password file by its path only; sed reads it, no command gets it as an argument', () => {
    expect(helper.mode).toBe(0o755);
    expect(helper.content).toContain(`write mpgen-lab-dsl '${pwFile}' || rc=1`);
    expect(helper.content).not.toMatch(/set -x|logger/);
  });

  it('writes the keyfile, mode 0600, with the password of the first line; later lines are ignored', () => {
    const r = run(`${SECRET}\nsecond line\n`, join(work, 'run1'));
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(statSync(r.path).mode & 0o777).toBe(0o600);
    const k = readFileSync(r.path, 'utf8');
    expect(k).not.toContain('second line');
    expect(k.startsWith(content(fp, `${SRC}/mpgen-lab-dsl.nmconnection`))).toBe(true);
  });

  it.skipIf(nmcliMissing !== undefined)('NM reads the exact password back (blanks, #, ;, backslash, tab, UTF-8), also from a DOS file without a final newline', () => {
    for (const [n, text] of [
      ['2', `${SECRET}\n`],
      ['3', `${SECRET}\r\nx\r\n`],
      ['4', SECRET],
    ] as const) {
      const r = run(text, join(work, `run${n}`));
      expect(r.status, n).toBe(0);
      const back = nmcliOffline(readFileSync(r.path, 'utf8'));
      expect(back.err).toBe('');
      const line = section(back.out, 'pppoe').find((l) => l.startsWith('password='));
      expect(line, n).toBeDefined();
      expect(unescape(line!.slice('password='.length)), n).toBe(SECRET);
      expect(section(back.out, 'ipv4')).toContain('route-table=202');
    }
  });

  it('refuses a missing file and an empty first line, writes nothing, and says so without a secret', () => {
    const a = run(null, join(work, 'run5'));
    expect(a.status).toBe(1);
    expect(a.err).toMatch(/mpgen-lab-dsl: cannot read the password file .*dsl\.secret/);
    expect(existsSync(a.path)).toBe(false);
    const b = run(`\n${SECRET}\n`, join(work, 'run6'));
    expect(b.status).toBe(1);
    expect(b.err).toMatch(/first line of .* is empty/);
    expect(b.err).not.toContain('pa');
    expect(existsSync(b.path)).toBe(false);
  });
});

const shellcheckMissing = missing({ commands: ['shellcheck'] });
describe.skipIf(shellcheckMissing !== undefined)('nm PPPoE scripts: shellcheck -s sh', () => {
  const dir = tempDir('mpnm-pppoe-sc-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fp = render(FILE_PROFILE, 'rhel');
  for (const [name, path] of [
    ['helper', fp.files.find((f) => f.path.endsWith('/lab-nm-secrets'))!.path],
    ['dispatcher', DISPATCHER],
  ] as const) {
    it(name, () => {
      const r = shellcheck(content(fp, path), dir, `pppoe-${name}`);
      expect(r.out).toBe('');
      expect(r.status).toBe(0);
    });
  }
});

describe.skipIf(dashMissing !== undefined)('nm dispatcher with a PPPoE uplink under dash', () => {
  const stubs = stubDir(['tc', 'modprobe', 'ip']);
  afterAll(() => rmSync(stubs, { recursive: true, force: true }));
  const d = content(render(FILE_PROFILE, 'debian'), DISPATCHER);
  const replaces = (calls: string[]) => calls.filter((l) => l.includes('route replace'));

  it('up of ppp0: no route (its nexthop is the keepalive\'s)', () => {
    expect(replaces(runUnderDash(d, ['ppp0', 'up'], stubs, ['eth1', 'eth2', 'ppp0']))).toEqual([]);
  });

  it('down of ppp0: the route over the static uplink', () => {
    expect(replaces(runUnderDash(d, ['ppp0', 'down'], stubs, ['eth1', 'eth2']))).toEqual(['ip route replace default table 222 proto static nexthop via 203.0.113.1 dev eth1 weight 1']);
  });
});

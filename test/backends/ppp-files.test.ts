/**
 * pppd's files for a PPPoE uplink (src/backends/ppp.ts) and ifupdown's stanzas for it, with their
 * real consumers where the host has them: ifupdown reads the stanzas (`ifup --no-act`), the
 * secrets helper edits a copy of /etc/ppp under dash, bash and busybox, the ip-up and ip-down
 * hooks run in a namespace against the real kernel (a veth stands for the PPP device), and nft
 * and iptables-restore accept the MSS clamp. pppd itself needs the PPP kernel modules, which this
 * host lacks: it reads these files in the qemu guest (test/vm/boot-lab-pppoe.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFromText } from '../../src/model/load.js';
import { renderPlan } from '../../src/plan/render.js';
import { debScripts, rpmScriptlets, scriptView } from '../../src/pack/maintainer-scripts.js';
import { missing } from '../support/require.js';
import { writeFilesToTemp } from '../support/tree.js';

const PASSWORD = 'Sekr3t-Pa55';
const profile = (secret: string, firewall = 'nftables') => `version: 1
name: dsl
mode: multipath
firewall: ${firewall}
lan: {interface: eth0, address: 198.51.100.129/25}
routes: [default, 203.0.113.64/26]
uplinks:
  - {name: fibre, interface: eth1, address: 192.0.2.2/29, gateway: 192.0.2.1}
  - name: adsl
    interface: eth2
    address: pppoe
    pppoe: {username: "user@isp.example", ${secret}, service: "isp-pppoe"}
`;
const FILE_PROFILE = profile('password_file: /etc/mpgen/secrets/adsl');
const INLINE_PROFILE = profile(`password: "${PASSWORD}"`);

const plan = (text: string, firewall?: string) => renderPlan(loadModelFromText(firewall ? text.replace('firewall: nftables', `firewall: ${firewall}`) : text, 'p.yaml').model, 'debian');
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const tree = (text: string) => {
  const p = plan(text);
  const root = writeFilesToTemp(p.files, 'mpgen-ppp-');
  roots.push(root);
  return { p, root };
};
const file = (p: ReturnType<typeof plan>, path: string) => {
  const f = p.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${p.files.map((x) => x.path).join(' ')}`);
  return f;
};

describe('pppd files of a PPPoE uplink (eni)', () => {
  it('the peers file: the plugin on the Ethernet, the user, no default route, persist forever, LCP echoes, MTU 1492, no secret', () => {
    const { p } = tree(FILE_PROFILE);
    const peer = file(p, '/etc/ppp/peers/mpgen-dsl-adsl');
    const opts = peer.content.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(opts).toEqual([
      'plugin rp-pppoe.so',
      'nic-eth2',
      'rp_pppoe_service "isp-pppoe"',
      'user "user@isp.example"',
      'remotename mpgen-dsl-adsl',
      'ipparam mpgen-dsl-adsl',
      'unit 0',
      'noipdefault',
      'nodefaultroute',
      'noauth',
      'hide-password',
      'persist',
      'maxfail 0',
      'holdoff 3',
      'lcp-echo-interval 2',
      'lcp-echo-failure 3',
      'mtu 1492',
      'mru 1492',
      'noaccomp',
      'default-asyncmap',
    ]);
    expect(peer.mode).toBe(0o640);
    expect(p.depends.deb).toContain('ppp');
    // with password_file the secret is the box's: no file of the package holds one
    expect(p.files.some((f) => f.path.startsWith('/etc/mpgen/secrets/'))).toBe(false);
    expect(p.notes.join('\n')).toMatch(/pppd reads the password from \/etc\/mpgen\/secrets\/adsl on the box/);
  });

  it('an inline password is in one file only, mode 0600', () => {
    const { p } = tree(INLINE_PROFILE);
    const holders = p.files.filter((f) => f.content.includes(PASSWORD));
    expect(holders.map((f) => [f.path, f.mode])).toEqual([['/etc/mpgen/secrets/dsl-adsl', 0o600]]);
    // one quoted word, as pppd reads an @FILE secret
    expect(holders[0]!.content).toBe(`"${PASSWORD}"\n`);
  });

  it('the PPP device gets its rp_filter from the hook, not sysctl.d (it does not exist at boot)', () => {
    const { p } = tree(FILE_PROFILE);
    expect(file(p, '/etc/sysctl.d/90-mpgen-dsl.conf').content).not.toContain('ppp0');
    expect(file(p, '/etc/ppp/ip-up.d/mpgen-dsl').content).toContain('mpgen-dsl-adsl) table=202 dests=\'default 203.0.113.64/26\' rpf=2 ;;');
  });
});

const noIfup = missing({ commands: ['ifup'] });
describe.skipIf(noIfup)('eni L2: ifupdown reads the PPPoE stanzas', () => {
  it('ifup --no-act: the Ethernet up without an address, then pon with the peers file, secrets ensured first', () => {
    const { p, root } = tree(FILE_PROFILE);
    const state = mkdtempSync(join(tmpdir(), 'mpgen-eni-state-'));
    roots.push(state);
    const r = spawnSync('ifup', ['--no-act', '--state-dir', state, '-i', join(root, '/etc/network/interfaces.d/mpgen-dsl'), '-a'], { encoding: 'utf8', timeout: 30_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).not.toMatch(/unknown|ignoring|misspell/i);
    expect(out).toContain('ip link set dev eth2 up');
    expect(out).not.toMatch(/ip addr add .* dev eth2/);
    const ensure = out.indexOf('/usr/libexec/mpgen/dsl-ppp-secrets ensure');
    const pon = out.indexOf('pon mpgen-dsl-adsl');
    expect(ensure).toBeGreaterThan(0);
    expect(pon).toBeGreaterThan(ensure);
    // the Ethernet's stanza comes first: pppd's plugin needs the link up
    expect(out.indexOf('ip link set dev eth2 up')).toBeLessThan(pon);
    expect(file(p, '/etc/network/interfaces.d/mpgen-dsl').content).not.toContain('user@isp.example');
  });
});

describe.skipIf(missing({ commands: ['shellcheck'] }))('pppd scripts: shellcheck -s sh', () => {
  it('the secrets helper and the ip-up and ip-down hooks', () => {
    const { root } = tree(INLINE_PROFILE);
    const r = spawnSync('shellcheck', ['-s', 'sh', ...['/usr/libexec/mpgen/dsl-ppp-secrets', '/etc/ppp/ip-up.d/mpgen-dsl', '/etc/ppp/ip-down.d/mpgen-dsl'].map((f) => join(root, f))], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

const SH = [['dash'], ['bash'], ['busybox', 'sh']] as const;
describe('the secrets helper keeps its own lines in chap-secrets and pap-secrets', () => {
  for (const argv of SH) {
    it.skipIf(missing({ commands: [argv[0]] }) !== undefined)(argv.join(' '), () => {
      const { root } = tree(FILE_PROFILE);
      const dir = mkdtempSync(join(tmpdir(), 'mpgen-etc-ppp-'));
      roots.push(dir);
      const foreign = '# Secrets for authentication using CHAP\n"other" * "@/etc/other" *\n';
      writeFileSync(join(dir, 'chap-secrets'), foreign, { mode: 0o600 });
      const run = (verb: string) => spawnSync(argv[0], [...argv.slice(1), join(root, '/usr/libexec/mpgen/dsl-ppp-secrets'), verb], { encoding: 'utf8', env: { ...process.env, MPGEN_PPP_DIR: dir } });
      const ours = '"user@isp.example" mpgen-dsl-adsl "@/etc/mpgen/secrets/adsl" * # mpgen profile dsl\n';
      const a = run('ensure');
      expect(a.status, a.stderr).toBe(0);
      // the password file is missing on this machine: said, with the fix
      expect(a.stderr).toContain('/etc/mpgen/secrets/adsl, which is missing: write the password there');
      expect(readFileSync(join(dir, 'chap-secrets'), 'utf8')).toBe(foreign + ours);
      expect(readFileSync(join(dir, 'pap-secrets'), 'utf8')).toBe(ours);
      for (const f of ['chap-secrets', 'pap-secrets']) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
      // again: nothing doubles
      expect(run('ensure').status).toBe(0);
      expect(readFileSync(join(dir, 'chap-secrets'), 'utf8')).toBe(foreign + ours);
      expect(run('remove').status).toBe(0);
      expect(readFileSync(join(dir, 'chap-secrets'), 'utf8')).toBe(foreign);
      expect(readFileSync(join(dir, 'pap-secrets'), 'utf8')).toBe('');
      expect(run('bogus').status).toBe(2);
    });
  }
});

const noNetns = missing({ commands: ['ip'], root: true, netns: true });
describe.skipIf(noNetns)('the ip-up and ip-down hooks in a namespace (a veth stands for ppp0)', () => {
  it('ip-up: every balanced destination through the device in the uplink table, its rp_filter; ip-down: gone; other sessions untouched', () => {
    const { root } = tree(FILE_PROFILE);
    const ns = `mpgen-ppp-${process.pid}`;
    const ip = (...a: string[]) => spawnSync('ip', ['-n', ns, ...a], { encoding: 'utf8' });
    spawnSync('ip', ['netns', 'add', ns]);
    try {
      expect(ip('link', 'add', 'ppp0', 'type', 'veth', 'peer', 'name', 'pppx').status).toBe(0);
      ip('link', 'set', 'ppp0', 'up');
      ip('link', 'set', 'pppx', 'up');
      ip('addr', 'add', '198.51.100.10', 'peer', '198.51.100.1/32', 'dev', 'ppp0');
      const hook = (which: string, param: string) =>
        spawnSync('ip', ['netns', 'exec', ns, 'dash', join(root, `/etc/ppp/${which}.d/mpgen-dsl`), 'ppp0', '/dev/ttyS9', '38400', '198.51.100.10', '198.51.100.1', param], { encoding: 'utf8', env: { PATH: process.env.PATH } });
      expect(hook('ip-up', 'somebody-else').status).toBe(0);
      expect(ip('-o', 'route', 'show', 'table', '202').stdout).toBe('');
      spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', 'echo 0 > /proc/sys/net/ipv4/conf/ppp0/rp_filter']);
      const up = hook('ip-up', 'mpgen-dsl-adsl');
      expect(up.status, up.stderr).toBe(0);
      const table = ip('-o', 'route', 'show', 'table', '202').stdout;
      expect(table).toMatch(/^default dev ppp0 proto static/m);
      expect(table).toMatch(/^203\.0\.113\.64\/26 dev ppp0 proto static/m);
      expect(ip('-o', 'route', 'show', 'default').stdout).toBe('');
      const rpf = spawnSync('ip', ['netns', 'exec', ns, 'cat', '/proc/sys/net/ipv4/conf/ppp0/rp_filter'], { encoding: 'utf8' }).stdout.trim();
      expect(rpf).toBe('2');
      expect(hook('ip-down', 'mpgen-dsl-adsl').status).toBe(0);
      expect(ip('-o', 'route', 'show', 'table', '202').stdout).toBe('');
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});

describe.skipIf(missing({ commands: ['nft', 'iptables-restore'], root: true, netns: true }))('MSS clamping for LAN clients on the PPP device', () => {
  it('the kernel loads the rules (nft, iptables-nft and legacy); both directions are clamped', () => {
    const nft = file(plan(FILE_PROFILE), '/etc/mpgen/dsl.nft');
    expect(nft.content).toContain('oifname "ppp0" tcp flags & (syn | rst) == syn tcp option maxseg size set rt mtu');
    expect(nft.content).toContain('iifname "ppp0" tcp flags & (syn | rst) == syn tcp option maxseg size > 1452 tcp option maxseg size set 1452');
    const ipt = file(plan(FILE_PROFILE, 'iptables'), '/etc/mpgen/dsl.rules');
    expect(ipt.content).toContain('-i ppp0 -p tcp --tcp-flags SYN,RST SYN -m tcpmss --mss 1453:65535 -j TCPMSS --set-mss 1452');
    const dir = mkdtempSync(join(tmpdir(), 'mpgen-mss-'));
    roots.push(dir);
    writeFileSync(join(dir, 'r.nft'), nft.content);
    writeFileSync(join(dir, 'r.rules'), ipt.content);
    const ns = `mpgen-mss-${process.pid}`;
    spawnSync('ip', ['netns', 'add', ns]);
    try {
      // loaded for real: `nft -c` and `iptables-restore --test` accept "rt mtu" (and path-MTU
      // clamping) in a chain the input hook reaches, which the kernel then refuses
      const a = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', join(dir, 'r.nft')], { encoding: 'utf8' });
      expect(a.status, a.stderr).toBe(0);
      for (const restore of ['iptables-restore', 'iptables-legacy-restore']) {
        if (missing({ commands: [restore] }) !== undefined) continue;
        const b = spawnSync('ip', ['netns', 'exec', ns, restore, '--noflush', join(dir, 'r.rules')], { encoding: 'utf8' });
        expect(b.status, `${restore}: ${b.stderr}`).toBe(0);
      }
      const fwd = spawnSync('ip', ['netns', 'exec', ns, 'iptables', '-S', 'FORWARD'], { encoding: 'utf8' }).stdout;
      // the clamp before the stateful accept: a SYN-ACK is an established packet
      expect(fwd.indexOf('-j mpgen-mss-dsl')).toBeGreaterThan(0);
      expect(fwd.indexOf('-j mpgen-mss-dsl')).toBeLessThan(fwd.indexOf('-j mpgen-ks-dsl'));
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });

  it('firewall none: no clamp, and the render says so', () => {
    const p = plan(FILE_PROFILE, 'none');
    expect(p.notes.join('\n')).toMatch(/PPPoE on ppp0: firewall none, so TCP MSS is not clamped to 1452/);
  });
});

describe('the package takes its secrets lines away when it is removed for good', () => {
  it('deb prerm on remove (not inside DPKG_ROOT), rpm %preun on the final erase; both parse', () => {
    const p = plan(FILE_PROFILE);
    expect(p.onRemove).toEqual(['/usr/libexec/mpgen/dsl-ppp-secrets remove']);
    const deb = debScripts(scriptView(p, 'mpgen-dsl'));
    expect(deb.prerm).toMatch(/if \[ -z "\$\{DPKG_ROOT:-\}" \] && \[ "\$1" = "remove" \]; then\n\t\/usr\/libexec\/mpgen\/dsl-ppp-secrets remove \|\| true\nfi/);
    const rpm = rpmScriptlets(scriptView(p, 'mpgen-dsl'));
    expect(rpm.preun).toMatch(/if \[ "\$1" -eq 0 \]; then\n\t\/usr\/libexec\/mpgen\/dsl-ppp-secrets remove \|\| :\nfi/);
    for (const s of [deb.prerm, rpm.preun]) expect(spawnSync('dash', ['-n'], { input: s, encoding: 'utf8' }).status).toBe(0);
    // a profile without PPPoE: no such lines
    expect(renderPlan(loadModelFromText(FILE_PROFILE.replace(/  - name: adsl[\s\S]*$/, '  - {name: cable, interface: eth2, address: dhcp}\n'), 'p.yaml').model, 'debian').onRemove).toEqual([]);
  });
});

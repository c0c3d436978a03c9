/**
 * PPPoE on the networkd and netplan backends (src/backends/networkd-ppp.ts): pppd beside
 * systemd-networkd. The files, and their real consumers where this host has them:
 * `systemd-analyze verify` reads the pppd unit (against a root holding the rendered files, this
 * host's units and its pppd), `netplan generate --root-dir` reads the YAML; networkd itself reads
 * the .network files in test/backends/networkd-pppoe-netns.test.ts. pppd needs the PPP kernel
 * modules, which this host lacks (test/backends/ppp-files.test.ts says so too).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { netDeviceUnit } from '../../src/backends/networkd-ppp.js';
import { getDistro } from '../../src/distros/registry.js';
import type { Plan } from '../../src/plan/plan.js';
import { whitelistViolations } from '../support/networkd/networkd-readback.js';
import { missing } from '../support/require.js';
import { writeFilesUnder } from '../support/tree.js';
import { entries, FILE_PROFILE, fileOf, INLINE_PROFILE, PASSWORD, pppoeProfile, render, TARGETS } from './networkd-pppoe-support.js';

const UNIT = '/usr/lib/systemd/system/mpgen-ppp-dsl-adsl.service';
const PPP_NETWORK = '/etc/systemd/network/09-mpgen-dsl-adsl-ppp.network';
const ETHER_NETWORK = '/etc/systemd/network/10-mpgen-dsl-adsl.network';
const NETPLAN_DROPIN = '/etc/systemd/network/10-netplan-eth2.network.d/mpgen-dsl.conf';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const tempDir = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  roots.push(d);
  return d;
};

describe('PPPoE beside networkd: the files (networkd and netplan backends)', () => {
  for (const [backend, distro] of TARGETS) {
    it(`${backend} on ${distro}: pppd's files, the unmanaged ppp0, the unit enabled, the secrets lines removed with the package`, () => {
      const p = render(FILE_PROFILE, backend, distro);
      const paths = p.files.map((f) => f.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/etc/ppp/peers/mpgen-dsl-adsl',
          '/usr/libexec/mpgen/dsl-ppp-secrets',
          '/etc/ppp/ip-up.d/mpgen-dsl',
          '/etc/ppp/ip-down.d/mpgen-dsl',
          PPP_NETWORK,
          UNIT,
        ]),
      );
      expect(entries(fileOf(p, PPP_NETWORK).content)).toEqual(['Match.Name=ppp0', 'Link.Unmanaged=yes']);
      expect(p.enable).toContain('mpgen-ppp-dsl-adsl.service');
      expect(p.depends.deb).toContain('ppp');
      expect(p.onRemove).toEqual(['/usr/libexec/mpgen/dsl-ppp-secrets remove']);
      const unit = entries(fileOf(p, UNIT).content);
      expect(unit).toEqual(
        expect.arrayContaining([
          'Unit.BindsTo=sys-subsystem-net-devices-eth2.device',
          'Unit.After=sys-subsystem-net-devices-eth2.device systemd-networkd.service network-pre.target',
          'Service.ExecStartPre=/usr/libexec/mpgen/dsl-ppp-secrets ensure',
          'Service.ExecStart=/usr/sbin/pppd call mpgen-dsl-adsl nodetach',
          'Service.Restart=always',
          'Service.RestartSec=5',
          'Install.WantedBy=multi-user.target',
        ]),
      );
      // the networkd files are networkd's known keys on the distro's systemd
      const nd = p.files.filter((f) => f.path.startsWith('/etc/systemd/'));
      expect(whitelistViolations(nd, getDistro(distro).versions.systemd)).toEqual([]);
    });
  }

  it('networkd: the Ethernet comes up without any address, and carries only the fixed routing of table 202', () => {
    for (const distro of ['arch', 'debian']) {
      const e = entries(fileOf(render(FILE_PROFILE, 'networkd', distro), ETHER_NETWORK).content);
      expect(e.filter((x) => x.startsWith('Match.') || x.startsWith('Link.'))).toEqual(['Match.Name=eth2', 'Link.RequiredForOnline=no-carrier']);
      expect(e).toEqual(expect.arrayContaining(['Network.DHCP=no', 'Network.LinkLocalAddressing=no', 'Network.IPv6AcceptRA=no', 'Network.ConfigureWithoutCarrier=yes', 'Network.KeepConfiguration=static']));
      expect(e.some((x) => x.startsWith('Address.') || x.startsWith('Network.Address=') || x.startsWith('DHCPv4.') || x.startsWith('Route.Gateway='))).toBe(false);
      // the prohibit fallback of each balanced destination, and the fwmark rule; the rule from the
      // session's address is the keepalive's (it follows the address)
      expect(e.filter((x) => x.startsWith('Route.Type='))).toEqual(['Route.Type=prohibit', 'Route.Type=prohibit']);
      expect(e.filter((x) => x.startsWith('Route.Destination='))).toEqual(['Route.Destination=0.0.0.0/0', 'Route.Destination=203.0.113.64/26']);
      expect(e.filter((x) => x.startsWith('RoutingPolicyRule.'))).toEqual(['RoutingPolicyRule.FirewallMark=0x200/0x3f00', 'RoutingPolicyRule.Table=202', 'RoutingPolicyRule.Priority=202']);
    }
  });

  it('a PPPoE first uplink carries the shared rules; a pinned NIC matches by MAC as every uplink', () => {
    const first = pppoeProfile('password_file: /etc/mpgen/secrets/adsl').replace(
      /(  - \{name: fibre[^\n]*\n)(  - name: adsl[\s\S]*)$/,
      (_, fibre: string, adsl: string) => `${adsl.replace('interface: eth2', 'interface: eth2\n    mac: "02:00:00:00:00:22"')}${fibre}`,
    );
    const p = render(first, 'networkd', 'debian');
    const e = entries(fileOf(p, ETHER_NETWORK).content);
    expect(e).toEqual(expect.arrayContaining(['Match.MACAddress=02:00:00:00:00:22', 'RoutingPolicyRule.SuppressPrefixLength=0', 'RoutingPolicyRule.Table=222']));
    expect(p.files.some((f) => f.path === '/etc/systemd/network/10-mpgen-dsl-adsl.link')).toBe(true);
  });

  it('netplan: an ethernets entry without addresses (no DHCP, no link-local, no RA), its fwmark rule in the drop-in', () => {
    const p = render(FILE_PROFILE, 'netplan', 'ubuntu');
    const y = fileOf(p, '/etc/netplan/90-mpgen-dsl.yaml').content;
    const eth2 = y.slice(y.indexOf('    eth2:\n'), y.indexOf('    eth0:\n'));
    expect(eth2).toMatch(/^ {6}dhcp4: false$/m);
    expect(eth2).toMatch(/^ {6}dhcp6: false$/m);
    expect(eth2).toMatch(/^ {6}accept-ra: false$/m);
    expect(eth2).toMatch(/^ {6}link-local: \[\]$/m);
    expect(eth2).not.toMatch(/addresses:|via:|mtu:|routing-policy:/);
    expect(y).toContain(`#   ${PPP_NETWORK}\n`);
    const d = entries(fileOf(p, NETPLAN_DROPIN).content);
    expect(d).toEqual(['Link.RequiredForOnline=no-carrier', 'Network.KeepConfiguration=static', 'RoutingPolicyRule.FirewallMark=0x200/0x3f00', 'RoutingPolicyRule.Table=202', 'RoutingPolicyRule.Priority=202']);
  });

  for (const [backend, distro] of TARGETS) {
    it(`${backend} on ${distro}: no file holds a password with password_file; an inline one is in its 0600 file only, never on a command line`, () => {
      const p = render(FILE_PROFILE, backend, distro);
      expect(p.files.some((f) => f.path.startsWith('/etc/mpgen/secrets/'))).toBe(false);
      expect(p.notes.join('\n')).toMatch(/pppd reads the password from \/etc\/mpgen\/secrets\/adsl on the box/);
      const q = render(INLINE_PROFILE, backend, distro);
      expect(q.files.filter((f) => f.content.includes(PASSWORD)).map((f) => [f.path, f.mode])).toEqual([['/etc/mpgen/secrets/dsl-adsl', 0o600]]);
      expect(fileOf(q, '/etc/mpgen/secrets/dsl-adsl').content).toBe(`"${PASSWORD}"\n`);
      expect(JSON.stringify([q.enable, q.onRemove, q.notes])).not.toContain(PASSWORD);
      // the two renders differ only by the inline password's file
      expect(q.files.filter((f) => !f.path.startsWith('/etc/mpgen/secrets/')).map((f) => f.content.replaceAll('/etc/mpgen/secrets/dsl-adsl', 'S'))).toEqual(
        p.files.map((f) => f.content.replaceAll('/etc/mpgen/secrets/adsl', 'S')),
      );
    });
  }
});

const noAnalyze = missing({ commands: ['systemd-analyze', 'systemd-escape', 'pppd'] });
describe.skipIf(noAnalyze !== undefined)('the pppd unit: systemd-analyze verify (L2)', () => {
  const pppd = execFileSync('sh', ['-c', 'command -v pppd'], { encoding: 'utf8' }).trim();
  /** The rendered files in a root beside this host's units and its pppd at /usr/sbin/pppd: verify checks the real paths. */
  function root(p: Plan, withPppd = true): string {
    const dir = tempDir('mpgen-ppp-unit-');
    cpSync('/usr/lib/systemd/system', join(dir, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    writeFilesUnder(dir, p.files);
    if (withPppd) {
      mkdirSync(join(dir, 'usr/sbin'), { recursive: true });
      copyFileSync(pppd, join(dir, 'usr/sbin/pppd'));
    }
    return dir;
  }
  const verify = (dir: string, unit: string) => {
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${dir}`, unit], { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  for (const [backend, distro] of TARGETS) {
    it(`${backend} on ${distro}: verify passes`, () => {
      const r = verify(root(render(FILE_PROFILE, backend, distro)), 'mpgen-ppp-dsl-adsl.service');
      expect(r.out).toBe('');
      expect(r.status).toBe(0);
    });
  }

  it('an Ethernet named with "-": the device unit is escaped as systemd-escape does, and verify passes', () => {
    const p = render(pppoeProfile('password_file: /etc/mpgen/secrets/adsl', 'dsl-2.7'), 'networkd', 'debian');
    const escaped = execFileSync('systemd-escape', ['--path', '--suffix=device', '/sys/subsystem/net/devices/dsl-2.7'], { encoding: 'utf8' }).trim();
    expect(netDeviceUnit('dsl-2.7')).toBe(escaped);
    expect(fileOf(p, UNIT).content).toContain(`BindsTo=${escaped}\n`);
    const r = verify(root(p), 'mpgen-ppp-dsl-adsl.service');
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('and fails without pppd or the secrets helper (the check can fail)', () => {
    const p = render(FILE_PROFILE, 'networkd', 'debian');
    expect(verify(root(p, false), 'mpgen-ppp-dsl-adsl.service').out).toMatch(/pppd is not executable/);
    const dir = root(p);
    rmSync(join(dir, 'usr/libexec/mpgen/dsl-ppp-secrets'));
    expect(verify(dir, 'mpgen-ppp-dsl-adsl.service').out).toMatch(/dsl-ppp-secrets is not executable/);
  });
});

const noNetplan = missing({ commands: ['netplan'] });
describe.skipIf(noNetplan !== undefined)('netplan generate --root-dir on the PPPoE YAML (L2)', () => {
  for (const distro of ['ubuntu', 'debian']) {
    it(`${distro}: accepted without a warning; networkd's file for eth2 has no address, no DHCP, no link-local, no RA`, () => {
      const p = render(FILE_PROFILE, 'netplan', distro);
      const dir = tempDir('mpgen-ppp-netplan-');
      writeFilesUnder(dir, p.files);
      const r = spawnSync('netplan', ['generate', '--root-dir', dir], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const out = join(dir, 'run/systemd/network');
      expect(readdirSync(out).sort()).toEqual(['10-netplan-eth0.network', '10-netplan-eth1.network', '10-netplan-eth2.network']);
      const eth2 = readFileSync(join(out, '10-netplan-eth2.network'), 'utf8');
      const e = entries(eth2);
      expect(e).toEqual(expect.arrayContaining(['Match.Name=eth2', 'Network.LinkLocalAddressing=no', 'Network.IPv6AcceptRA=no', 'Network.ConfigureWithoutCarrier=yes']));
      expect(e.some((x) => /^(Network\.(Address|DHCP)=|Address\.|DHCPv4\.|DHCPv6\.)/.test(x) && x !== 'Network.DHCP=no')).toBe(false);
      expect(e.filter((x) => x.startsWith('Route.Type='))).toEqual(['Route.Type=prohibit', 'Route.Type=prohibit']);
      // netplan writes nothing for ppp0: mpgen's own .network, sorted before netplan's, is the one networkd takes
      expect(readdirSync(out).some((n) => n.includes('ppp'))).toBe(false);
      const all = [...readdirSync(out).map((n) => ({ path: `/run/systemd/network/${n}`, content: readFileSync(join(out, n), 'utf8') })), ...p.files.filter((f) => f.path.startsWith('/etc/systemd/'))];
      expect(whitelistViolations(all, getDistro(distro).versions.systemd)).toEqual([]);
    });
  }
});

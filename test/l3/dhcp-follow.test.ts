/**
 * L3: a DHCP uplink under each Debian client, all at once, each in its own namespace lab with
 * dnsmasq in the modem as the ISP (test/l3/dhcp-lab.ts) and the rendered keepalive following the
 * lease (test/l3/dhcp-follow.ts):
 * - eni: the real `ifup` runs dhclient with Debian's own dhclient-script, which sources the
 *   rendered enter and exit hooks;
 * - networkd: the real systemd-networkd with its own DHCP client (`[DHCPv4] RouteTable=`);
 * - netplan: the real `netplan generate`, then networkd with mpgen's drop-ins.
 * The lease, a renumbering and a new router alone at the client's own renewals, the lease's
 * expiry. About 5 minutes (the three overlap): two renewals and one lease time.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missing } from '../support/require.js';
import { NETWORKD, startNetworkd } from '../support/networkd/run-networkd.js';
import { NAME, dhcpFollowSuite, dropStaticSetup } from './dhcp-follow.js';

dhcpFollowSuite('L3 DHCP uplink: ifupdown + dhclient, systemd-networkd and netplan, dnsmasq as the ISP, the keepalive following', [
  {
    tag: 'en',
    backend: 'eni',
    skip: missing({ root: true, netns: true, commands: ['ip', 'ifup', 'ifdown', 'dhclient', 'dhclient-script', 'dnsmasq', 'unshare', 'mount', 'ping', 'dash'] }),
    proto: 'static',
    start: (lab, root) => {
      // the stanza's post-up and pre-down call the shared helper where the package puts it; here it is under the root
      const file = join(root, `etc/network/interfaces.d/mpgen-${NAME}`);
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll(' /usr/libexec/mpgen/', ` ${root}/usr/libexec/mpgen/`));
      const up = lab.applyEni(root, NAME, { trace: false });
      if (up.code !== 0) throw new Error(`ifup failed: ${up.out}`);
      return { log: () => up.out, stop: () => undefined };
    },
  },
  {
    tag: 'nd',
    backend: 'networkd',
    skip: missing({ root: true, netns: true, commands: ['ip', NETWORKD, 'dnsmasq', 'ping', 'dash'] }),
    proto: 'dhcp',
    start: (lab, root) => {
      // networkd configures the static line from the render too
      dropStaticSetup(lab);
      return startNetworkd(lab.ns.router, root, { timeoutS: 900 });
    },
  },
  {
    tag: 'np',
    backend: 'netplan',
    skip: missing({ root: true, netns: true, commands: ['ip', 'netplan', NETWORKD, 'dnsmasq', 'ping', 'dash'] }),
    proto: 'dhcp',
    start: (lab, root) => {
      mkdirSync(join(root, 'etc/systemd/network'), { recursive: true });
      const g = spawnSync('netplan', ['generate', '--root-dir', root], { encoding: 'utf8', timeout: 60_000 });
      if (g.status !== 0 || g.stderr !== '') throw new Error(`netplan generate: ${g.status} ${g.stderr}`);
      dropStaticSetup(lab);
      return startNetworkd(lab.ns.router, root, { withRun: true, timeoutS: 900 });
    },
  },
]);

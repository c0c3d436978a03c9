/**
 * L3: a DHCP uplink under netplan: the real `netplan generate` turns the rendered YAML into
 * networkd files, and the real systemd-networkd applies them with mpgen's drop-ins (the lease's
 * table and metric: netplan has no key for them), in the lab's router namespace; the same
 * scenario as networkd's own (test/l3/dhcp-follow.ts). About 4 to 5 minutes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { missing } from '../support/require.js';
import { NETWORKD, startNetworkd } from '../support/networkd/run-networkd.js';
import { dhcpFollowSuite, dropStaticSetup } from './dhcp-follow.js';

dhcpFollowSuite({
  title: 'L3 DHCP uplink: netplan generate, then systemd-networkd in a namespace, dnsmasq as the ISP, the keepalive following',
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
});

/**
 * L3: a DHCP uplink under the real systemd-networkd (its own DHCP client, `[DHCPv4] RouteTable=`)
 * in the lab's router namespace, dnsmasq in the modem as the ISP (test/l3/dhcp-lab.ts), and the
 * rendered keepalive following the lease (test/l3/dhcp-follow.ts): the rule from the leased
 * address, the nexthop through the lease's router, no default route in main; after the client's
 * own renewal a renumbering (new pool and router) and, separately, a new router alone; the server
 * gone, the lease expires and the line leaves the balance. `mpgen check` passes against the lease
 * it reads. Prints the time from each server change to the client's lease and to the kernel
 * following. About 4 to 5 minutes: two renewals and one lease time.
 */
import { missing } from '../support/require.js';
import { NETWORKD, startNetworkd } from '../support/networkd/run-networkd.js';
import { dhcpFollowSuite, dropStaticSetup } from './dhcp-follow.js';

dhcpFollowSuite({
  title: 'L3 DHCP uplink: systemd-networkd in a namespace, dnsmasq as the ISP, the keepalive following',
  tag: 'nd',
  backend: 'networkd',
  skip: missing({ root: true, netns: true, commands: ['ip', NETWORKD, 'dnsmasq', 'ping', 'dash'] }),
  proto: 'dhcp',
  start: (lab, root) => {
    // networkd configures the static line from the render too
    dropStaticSetup(lab);
    return startNetworkd(lab.ns.router, root, { timeoutS: 900 });
  },
});

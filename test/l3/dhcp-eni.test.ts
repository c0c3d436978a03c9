/**
 * L3: a DHCP uplink under ifupdown with isc-dhcp-client: the real `ifup` runs dhclient with
 * Debian's own dhclient-script, which sources the rendered enter and exit hooks
 * (test/l3/dhcp-lab.ts applies the tree in the lab's router namespace), dnsmasq in the modem as
 * the ISP, and the rendered keepalive following the lease (test/l3/dhcp-follow.ts): the same
 * scenario as networkd's. About 4 to 5 minutes: two renewals and one lease time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missing } from '../support/require.js';
import { NAME, dhcpFollowSuite } from './dhcp-follow.js';

dhcpFollowSuite({
  title: 'L3 DHCP uplink: ifupdown + dhclient + dhclient-script with the rendered hooks, dnsmasq as the ISP, the keepalive following',
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
});

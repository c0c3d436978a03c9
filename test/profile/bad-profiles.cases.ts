/**
 * Bad profiles and what the user must be told. Each case edits a valid base
 * profile; `at` is the expected line:col, `path` the key path, `says` a part
 * of the message that states the problem or the fix.
 */
export const BASE = `version: 1
name: shop
mode: multipath
uplinks:
  - name: dsl1
    interface: eth1
    address: 192.0.2.2/29
    gateway: 192.0.2.1
  - name: dsl2
    interface: eth2
    address: 192.0.2.10/29
    gateway: 192.0.2.9
`;

export interface BadCase {
  name: string;
  text: string;
  at: string;
  path: string;
  says: string[];
}

const lines = BASE.split('\n');
/** Replace 1-based line n with `to` (which may hold several lines). */
const set = (n: number, to: string): string => lines.map((l, i) => (i === n - 1 ? to : l)).join('\n');
const drop = (from: number, to = from): string => lines.filter((_, i) => i < from - 1 || i > to - 1).join('\n');
const add = (extra: string): string => BASE + extra;

export const BAD_CASES: BadCase[] = [
  { name: 'unknown version', text: set(1, 'version: 2'), at: '1:10', path: 'version', says: ['unsupported version 2', 'Supported versions: 1'] },
  { name: 'upper-case name', text: set(2, 'name: Shop'), at: '2:7', path: 'name', says: ['"Shop" is not valid', 'a lower-case letter'] },
  { name: 'shell in name', text: set(2, 'name: "x;reboot"'), at: '2:7', path: 'name', says: ['"x;reboot"'] },
  { name: 'mode typo', text: set(3, 'mode: multipth'), at: '3:7', path: 'mode', says: ['not one of teql, multipath, equalize', 'Did you mean "multipath"?'] },
  { name: 'mode missing', text: drop(3), at: '1:1', path: 'mode', says: ['is required'] },
  { name: 'one uplink', text: drop(9, 12), at: '5:3', path: 'uplinks', says: ['has 1 entry; at least 2 required'] },
  { name: 'command substitution in interface', text: set(6, '    interface: "eth1$(reboot)"'), at: '6:16', path: 'uplinks[0].interface', says: ['"eth1$(reboot)" is not valid', '1 to 15 of [A-Za-z0-9_.-]'] },
  { name: 'newline in interface', text: set(6, '    interface: "eth1\\nreboot"'), at: '6:16', path: 'uplinks[0].interface', says: ['is not valid'] },
  { name: 'interface too long', text: set(6, '    interface: abcdefghijklmnop'), at: '6:16', path: 'uplinks[0].interface', says: ['"abcdefghijklmnop" is not valid'] },
  { name: 'interface starting with a dash', text: set(6, '    interface: "-a"'), at: '6:16', path: 'uplinks[0].interface', says: ['"-a" is not valid', 'not starting with "-"'] },
  { name: 'interface named all', text: set(6, '    interface: all'), at: '6:16', path: 'uplinks[0].interface', says: ['"all" is not valid', '"all" or "default"'] },
  { name: 'interface ..', text: set(6, '    interface: ".."'), at: '6:16', path: 'uplinks[0].interface', says: ['".." is not valid', 'not "." or ".."'] },
  { name: 'address without prefix', text: set(7, '    address: 192.0.2.2'), at: '7:14', path: 'uplinks[0].address', says: ['"192.0.2.2" is not valid', 'with prefix'] },
  { name: 'address octet 256', text: set(7, '    address: 192.0.2.256/29'), at: '7:14', path: 'uplinks[0].address', says: ['"192.0.2.256/29" is not valid'] },
  { name: 'prefix 33', text: set(7, '    address: 192.0.2.2/33'), at: '7:14', path: 'uplinks[0].address', says: ['"192.0.2.2/33" is not valid'] },
  { name: 'gateway with prefix', text: set(8, '    gateway: 192.0.2.1/29'), at: '8:14', path: 'uplinks[0].gateway', says: ['"192.0.2.1/29" is not valid', 'without prefix'] },
  { name: 'gateway outside subnet', text: set(8, '    gateway: 198.51.100.1'), at: '8:14', path: 'uplinks[0].gateway', says: ['198.51.100.1 is not inside 192.0.2.0/29', 'set onlink: true'] },
  { name: 'gateway is own address', text: set(8, '    gateway: 192.0.2.2'), at: '8:14', path: 'uplinks[0].gateway', says: ["this host's own address"] },
  { name: 'duplicate uplink name', text: set(9, '  - name: dsl1'), at: '9:11', path: 'uplinks[1].name', says: ['"dsl1" is already the name of uplinks[0]'] },
  { name: 'duplicate interface', text: set(10, '    interface: eth1'), at: '10:16', path: 'uplinks[1].interface', says: ['interface "eth1" is already used by uplinks[0]'] },
  { name: 'overlapping subnets', text: set(11, '    address: 192.0.2.3/29'), at: '11:14', path: 'uplinks[1].address', says: ['overlaps uplinks[0]', 'onlink: true on both'] },
  { name: 'unknown uplink key', text: set(8, '    gateway: 192.0.2.1\n    gatway: 192.0.2.1'), at: '9:5', path: 'uplinks[0].gatway', says: ['unknown key "gatway"', 'Did you mean "gateway"?'] },
  { name: 'unknown top-level key', text: add('routs: [default]\n'), at: '13:1', path: 'routs', says: ['unknown key "routs"', 'Did you mean "routes"?'] },
  { name: 'weight 0', text: set(8, '    gateway: 192.0.2.1\n    weight: 0'), at: '9:13', path: 'uplinks[0].weight', says: ['0 is out of range', '1 to 256'] },
  { name: 'weight 300', text: set(8, '    gateway: 192.0.2.1\n    weight: 300'), at: '9:13', path: 'uplinks[0].weight', says: ['300 is out of range'] },
  { name: 'weight as string', text: set(8, '    gateway: 192.0.2.1\n    weight: "9"'), at: '9:13', path: 'uplinks[0].weight', says: ['expected number, found the string "9"'] },
  { name: 'table 254 is main', text: set(8, '    gateway: 192.0.2.1\n    table: 254'), at: '9:12', path: 'uplinks[0].table', says: ['default, main and local'] },
  { name: 'table is the multipath table', text: set(8, '    gateway: 192.0.2.1\n    table: 222'), at: '9:12', path: 'uplinks[0].table', says: ['table 222 is the multipath table'] },
  { name: 'duplicate table', text: set(8, '    gateway: 192.0.2.1\n    table: 7').replace('    gateway: 192.0.2.9', '    gateway: 192.0.2.9\n    table: 7'), at: '14:12', path: 'uplinks[1].table', says: ['table 7 is already used by uplinks[0]'] },
  { name: 'bad mac', text: set(8, '    gateway: 192.0.2.1\n    mac: "00:11:22:33:44"'), at: '9:10', path: 'uplinks[0].mac', says: ['"00:11:22:33:44" is not valid', 'six hex pairs'] },
  { name: 'mtu too small', text: set(8, '    gateway: 192.0.2.1\n    mtu: 10'), at: '9:10', path: 'uplinks[0].mtu', says: ['10 is out of range'] },
  { name: 'nat typo', text: add('nat: masq\n'), at: '13:6', path: 'nat', says: ['"masq" is not one of masquerade, snat, none'] },
  { name: 'nat without firewall', text: add('nat: masquerade\nfirewall: none\n'), at: '14:11', path: 'firewall', says: ['NAT is requested but firewall is none'] },
  { name: 'bond outside teql mode', text: add('bond:\n  interface: teql0\n  address: 203.0.113.1/29\n  gateway: 203.0.113.6\n'), at: '13:1', path: 'bond', says: ['bond is only used in teql mode'] },
  { name: 'teql without bond', text: set(3, 'mode: teql'), at: '3:7', path: 'mode', says: ['teql mode needs a bond'] },
  { name: 'bond not teqlN', text: set(3, 'mode: teql') + 'bond:\n  interface: bond0\n  address: 203.0.113.1/29\n  gateway: 203.0.113.6\n', at: '14:14', path: 'bond.interface', says: ['"bond0" is not valid', 'teqlN'] },
  { name: 'per-uplink nat in teql mode', text: set(3, 'mode: teql').replace('    gateway: 192.0.2.1', '    gateway: 192.0.2.1\n    nat: snat') + 'bond:\n  interface: teql0\n  address: 203.0.113.1/29\n  gateway: 203.0.113.6\n', at: '9:5', path: 'uplinks[0].nat', says: ['no effect in teql mode'] },
  { name: 'yes instead of true', text: add('keepalive:\n  enabled: yes\n'), at: '14:12', path: 'keepalive.enabled', says: ['expected true or false, found the string "yes"', 'write true or false'] },
  { name: 'duration without unit', text: add('keepalive:\n  interval: 0.5\n'), at: '14:13', path: 'keepalive.interval', says: ['0.5 has no unit', '"0.5s"'] },
  { name: 'duration too short', text: add('keepalive:\n  interval: 10ms\n'), at: '14:13', path: 'keepalive.interval', says: ['10ms is out of range', '100ms to 60s'] },
  { name: 'down 0', text: add('keepalive:\n  down: 0\n'), at: '14:9', path: 'keepalive.down', says: ['0 is out of range'] },
  { name: 'version 1.10 as a number', text: add('package:\n  version: 1.10\n'), at: '14:12', path: 'package.version', says: ['YAML read 1.10 as the number 1.1', 'version: "1.10"'] },
  { name: 'route with host bits', text: add('routes: [192.168.1.5/24]\n'), at: '13:10', path: 'routes[0]', says: ['has host bits set', 'Did you mean 192.168.1.0/24?'] },
  { name: 'route typo', text: add('routes: [defualt]\n'), at: '13:10', path: 'routes[0]', says: ['"defualt" is not valid'] },
  { name: 'lan overlaps an uplink', text: add('lan:\n  interface: eth0\n  address: 192.0.2.4/29\n'), at: '15:12', path: 'lan.address', says: ['overlaps uplinks[0]'] },
  { name: 'priority base too high', text: add('routing:\n  rule_priority_base: 32750\n'), at: '14:23', path: 'routing.rule_priority_base', says: ['32750 is out of range', '1 to 32743'] },
  { name: 'empty probe list', text: set(8, '    gateway: 192.0.2.1\n    probe: []'), at: '9:12', path: 'uplinks[0].probe', says: ['has 0 entries; at least 1'] },
  { name: 'maintainer with a newline', text: add('package:\n  maintainer: "A <a@b.c>\\nDepends: evil"\n'), at: '14:15', path: 'package.maintainer', says: ['is not valid'] },
  { name: 'description with a control character', text: add('description: "bell\\u0007"\n'), at: '13:14', path: 'description', says: ['is not valid'] },
  // issue 14, item 10: gateways the kernel refuses (Nexthop has invalid gateway), or accepts but no router can hold
  { name: 'gateway is the broadcast address', text: set(8, '    gateway: 192.0.2.7'), at: '8:14', path: 'uplinks[0].gateway', says: ['192.0.2.7 is the broadcast address of 192.0.2.0/29', 'Nexthop has invalid gateway', '192.0.2.1 to 192.0.2.6'] },
  { name: 'onlink gateway is the broadcast address of another subnet', text: set(8, '    gateway: 192.0.2.15\n    onlink: true'), at: '8:14', path: 'uplinks[0].gateway', says: ["192.0.2.15 is the broadcast address of uplinks[1]'s subnet 192.0.2.8/29"] },
  { name: 'gateway is the network address', text: set(8, '    gateway: 192.0.2.0'), at: '8:14', path: 'uplinks[0].gateway', says: ['192.0.2.0 is the network address of 192.0.2.0/29', "router's unicast address"] },
  { name: 'onlink gateway is own address', text: set(8, '    gateway: 192.0.2.2\n    onlink: true'), at: '8:14', path: 'uplinks[0].gateway', says: ["192.0.2.2 is this host's own address on the link", 'delivers packets for it locally'] },
  { name: "onlink gateway is another uplink's address", text: set(8, '    gateway: 192.0.2.10\n    onlink: true'), at: '8:14', path: 'uplinks[0].gateway', says: ["192.0.2.10 is this host's own address on uplinks[1]"] },
  { name: 'onlink gateway is the lan address', text: set(8, '    gateway: 203.0.113.1\n    onlink: true') + 'lan:\n  interface: eth0\n  address: 203.0.113.1/24\n', at: '8:14', path: 'uplinks[0].gateway', says: ["203.0.113.1 is this host's own address on the lan"] },
  { name: 'onlink gateway is multicast', text: set(8, '    gateway: 224.0.0.5\n    onlink: true'), at: '8:14', path: 'uplinks[0].gateway', says: ['224.0.0.5 is a multicast address'] },
  { name: 'onlink gateway is loopback', text: set(8, '    gateway: 127.0.0.1\n    onlink: true'), at: '8:14', path: 'uplinks[0].gateway', says: ['127.0.0.1 is a loopback address'] },
  { name: 'onlink gateway in 0.0.0.0/8', text: set(8, '    gateway: 0.0.0.5\n    onlink: true'), at: '8:14', path: 'uplinks[0].gateway', says: ['0.0.0.5 is in 0.0.0.0/8'] },
  { name: 'onlink gateway in 240.0.0.0/4', text: set(8, '    gateway: 240.0.0.1\n    onlink: true'), at: '8:14', path: 'uplinks[0].gateway', says: ['240.0.0.1 is in 240.0.0.0/4', 'reserved'] },
  { name: 'gateway 0.0.0.0', text: set(8, '    gateway: 0.0.0.0'), at: '8:14', path: 'uplinks[0].gateway', says: ['0.0.0.0 is not a gateway', 'leave out gateway'] },
  { name: 'multicast uplink address', text: set(7, '    address: 224.0.0.1/30'), at: '7:14', path: 'uplinks[0].address', says: ['224.0.0.1 is a multicast address', "this host's unicast address"] },
  { name: '"this network" uplink address', text: set(7, '    address: 0.0.0.1/30'), at: '7:14', path: 'uplinks[0].address', says: ['0.0.0.1 is in 0.0.0.0/8'] },
  { name: 'loopback uplink address', text: set(7, '    address: 127.0.0.2/29'), at: '7:14', path: 'uplinks[0].address', says: ['127.0.0.2 is a loopback address'] },
  { name: 'uplink address is the network address', text: set(7, '    address: 192.0.2.0/29'), at: '7:14', path: 'uplinks[0].address', says: ['192.0.2.0 is the network address of 192.0.2.0/29', '192.0.2.1 to 192.0.2.6', 'RFC 3021'] },
  { name: 'uplink address is the broadcast address', text: set(7, '    address: 192.0.2.7/29'), at: '7:14', path: 'uplinks[0].address', says: ['192.0.2.7 is the broadcast address of 192.0.2.0/29'] },
  { name: 'uplink address with prefix 0', text: set(7, '    address: 192.0.2.2/0'), at: '7:14', path: 'uplinks[0].address', says: ['the subnet 0.0.0.0/0 starts in 0.0.0.0/8', 'no connected route'] },
  { name: 'bond gateway is the broadcast address', text: set(3, 'mode: teql') + 'bond:\n  interface: teql0\n  address: 203.0.113.1/29\n  gateway: 203.0.113.6\n'.replace('gateway: 203.0.113.6', 'gateway: 203.0.113.7'), at: '16:12', path: 'bond.gateway', says: ['203.0.113.7 is the broadcast address of 203.0.113.0/29'] },
  { name: "bond gateway is an uplink's address", text: set(3, 'mode: teql') + 'bond:\n  interface: teql0\n  address: 203.0.113.1/29\n  gateway: 203.0.113.6\n'.replace('gateway: 203.0.113.6', 'gateway: 192.0.2.10'), at: '16:12', path: 'bond.gateway', says: ["192.0.2.10 is this host's own address on uplinks[1]"] },
  { name: 'balanced route covers the uplink subnet, gateway without onlink', text: add('routes: [192.0.2.0/24]\n'), at: '8:14', path: 'uplinks[0].gateway', says: ['routes[0] (192.0.2.0/24) covers this uplink\'s subnet 192.0.2.0/29', 'Nexthop has invalid gateway', 'onlink: true'] },
  // item 11: one host address, two uplinks: the second `from ADDR/32` rule never matches
  { name: 'equalize: two uplinks with one address', text: set(11, '    address: 192.0.2.2/29').replace('mode: multipath', 'mode: equalize').replace('gateway: 192.0.2.9', 'gateway: 192.0.2.1'), at: '11:14', path: 'uplinks[1].address', says: ['192.0.2.2 is already the address of uplinks[0]', 'from 192.0.2.2/32'] },
  { name: 'multipath, onlink on both: two uplinks with one address', text: set(11, '    address: 192.0.2.2/29').replace('gateway: 192.0.2.1', 'gateway: 192.0.2.1\n    onlink: true').replace('gateway: 192.0.2.9', 'gateway: 192.0.2.9\n    onlink: true'), at: '12:14', path: 'uplinks[1].address', says: ['192.0.2.2 is already the address of uplinks[0]'] },
  { name: 'teql: two slaves with one address', text: set(11, '    address: 192.0.2.2/29').replace('mode: multipath', 'mode: teql').replace('gateway: 192.0.2.9', 'gateway: 192.0.2.1') + 'bond:\n  interface: teql0\n  address: 203.0.113.1/29\n  gateway: 203.0.113.6\n', at: '11:14', path: 'uplinks[1].address', says: ['192.0.2.2 is already the address of uplinks[0]'] },
  // item 12: the bond against the lan and the uplinks
  { name: 'lan contains the bond subnet', text: set(3, 'mode: teql') + 'bond:\n  interface: teql0\n  address: 203.0.113.1/29\n  gateway: 203.0.113.6\n' + 'lan:\n  interface: eth0\n  address: 203.0.113.100/24\n', at: '19:12', path: 'lan.address', says: ['203.0.113.100/24 overlaps the bond (203.0.113.1/29)'] },
  { name: "bond address is an uplink's gateway", text: set(3, 'mode: teql') + 'bond:\n  interface: teql0\n  address: 203.0.113.1/29\n  gateway: 203.0.113.6\n'.replace('203.0.113.1/29', '192.0.2.1/29'), at: '15:12', path: 'bond.address', says: ['192.0.2.1 is the gateway of uplinks[0]'] },
  { name: "bond address is an uplink's address", text: set(3, 'mode: teql') + 'bond:\n  interface: teql0\n  address: 203.0.113.1/29\n  gateway: 203.0.113.6\n'.replace('203.0.113.1/29', '192.0.2.10/29'), at: '15:12', path: 'bond.address', says: ['192.0.2.10 is already the address of uplinks[1]'] },
  // item 13: probe targets that never fail or never answer
  { name: "probe is the uplink's own address", text: set(8, '    gateway: 192.0.2.1\n    probe: [192.0.2.2]'), at: '9:13', path: 'uplinks[0].probe[0]', says: ["192.0.2.2 is this host's own address (uplinks[0])", 'never be taken out'] },
  { name: "probe is another uplink's address", text: set(8, '    gateway: 192.0.2.1\n    probe: [192.0.2.53, 192.0.2.10]'), at: '9:25', path: 'uplinks[0].probe[1]', says: ["192.0.2.10 is this host's own address (uplinks[1])"] },
  { name: 'probe 0.0.0.0', text: set(8, '    gateway: 192.0.2.1\n    probe: [0.0.0.0]'), at: '9:13', path: 'uplinks[0].probe[0]', says: ['0.0.0.0 means this host', 'never be taken out'] },
  { name: 'probe 255.255.255.255', text: set(8, '    gateway: 192.0.2.1\n    probe: [255.255.255.255]'), at: '9:13', path: 'uplinks[0].probe[0]', says: ['255.255.255.255 is a broadcast address', 'never come up'] },
  // item 15: mac pins one NIC
  { name: 'duplicate mac (any case)', text: set(8, '    gateway: 192.0.2.1\n    mac: "02:00:00:00:00:0a"').replace('    gateway: 192.0.2.9', '    gateway: 192.0.2.9\n    mac: "02:00:00:00:00:0A"'), at: '14:10', path: 'uplinks[1].mac', says: ['02:00:00:00:00:0A is already the mac of uplinks[0]'] },
  { name: 'broadcast mac', text: set(8, '    gateway: 192.0.2.1\n    mac: "ff:ff:ff:ff:ff:ff"'), at: '9:10', path: 'uplinks[0].mac', says: ['the broadcast MAC address'] },
  { name: 'multicast mac', text: set(8, '    gateway: 192.0.2.1\n    mac: "01:00:5e:00:00:01"'), at: '9:10', path: 'uplinks[0].mac', says: ['a multicast MAC address'] },
  { name: 'all-zero mac', text: set(8, '    gateway: 192.0.2.1\n    mac: "00:00:00:00:00:00"'), at: '9:10', path: 'uplinks[0].mac', says: ['the all-zero MAC address'] },
  // dynamic uplinks (address: dhcp or pppoe; test/profile/dynamic-profiles.test.ts has them all)
  { name: 'gateway with address: dhcp', text: set(7, '    address: dhcp'), at: '8:5', path: 'uplinks[0].gateway', says: ['with address: dhcp the gateway comes from the DHCP lease', 'Remove gateway'] },
  { name: 'address typo dchp', text: set(7, '    address: dchp'), at: '7:14', path: 'uplinks[0].address', says: ['"dchp" is not valid here', 'Did you mean "dhcp"?'] },
  { name: 'address: pppoe without pppoe', text: set(11, '    address: pppoe').replace('    gateway: 192.0.2.9\n', ''), at: '11:14', path: 'uplinks[1].address', says: ['address: pppoe needs a pppoe section', 'Add pppoe: {username: USER'] },
  {
    name: 'pppoe username with a space',
    text: set(11, '    address: pppoe\n    pppoe:\n      username: "my user"\n      password_file: /etc/mpgen/secrets/dsl2').replace('    gateway: 192.0.2.9\n', ''),
    at: '13:17',
    path: 'uplinks[1].pppoe.username',
    says: ['the username "my user" contains a space', 'without spaces or quotes'],
  },
  {
    name: 'pppoe mtu above 1492',
    text: set(11, '    address: pppoe\n    mtu: 1500\n    pppoe:\n      username: user@isp.example\n      password_file: /etc/mpgen/secrets/dsl2').replace('    gateway: 192.0.2.9\n', ''),
    at: '12:10',
    path: 'uplinks[1].mtu',
    says: ['1500 is above 1492', 'Use 1492 or less'],
  },
  { name: 'top-level snat with a dhcp uplink', text: set(7, '    address: dhcp').replace('    gateway: 192.0.2.1\n', '') + 'nat: snat\n', at: '12:6', path: 'nat', says: ['the top-level snat applies to uplinks[0] (dsl1) too', 'Set nat: masquerade on uplinks[0] (dsl1)'] },
  {
    name: 'teql with a dhcp slave',
    text: set(7, '    address: dhcp').replace('mode: multipath', 'mode: teql').replace('    gateway: 192.0.2.1\n', '') + 'bond:\n  interface: teql0\n  address: 203.0.113.1/29\n  gateway: 203.0.113.6\n',
    at: '7:14',
    path: 'uplinks[0].address',
    says: ["teql slaves stay static: the bond's shared address and gateway are fixed", 'use mode: multipath'],
  },
  { name: 'duplicate key', text: set(2, 'name: shop\nname: shop2'), at: '3:1', path: '', says: ['YAML: Map keys must be unique', 'Remove or merge the duplicate key'] },
  { name: 'tab indentation', text: set(6, '\tinterface: eth1'), at: '6:1', path: '', says: ['YAML:', 'tab'] },
  { name: 'alias bomb', text: 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n', at: '1:1', path: '', says: ['alias', 'anchors and aliases'] },
  { name: 'empty file', text: '\n', at: '1:1', path: '', says: ['the file is empty', 'mpgen init'] },
  { name: 'a list, not a mapping', text: '- version: 1\n', at: '1:1', path: '', says: ['must be a mapping', 'found a list'] },
  { name: 'binary file', text: 'version: 1\u0000\u0001\u0002', at: '1:1', path: '', says: ['not a text file'] },
];

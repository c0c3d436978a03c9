/** Feature table: NAT per uplink and where its rules go (firewall: nftables, iptables, none). */
import { ABSENT, FILES as F, everyBackend, type FeatureCase } from './feature-case.js';

export const NAT_CASES: FeatureCase[] = [
  {
    feature: 'uplinks[].nat masquerade and snat, firewall: nftables',
    snippet: 'firewall: nftables\nuplinks: [{nat: masquerade}, {nat: snat}]',
    files: everyBackend({
      [F.nft]: [
        'table ip mpgen_feat\ndelete table ip mpgen_feat',
        '\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "eth1" ip saddr != 192.0.2.2 masquerade\n\t\toifname "eth2" ip saddr != 198.51.100.2 snat to 198.51.100.2\n\t}',
      ],
      [F.iptables]: ABSENT,
      [F.firewallUnit]: ['ConditionPathExists=/etc/mpgen/feat.nft', 'ExecStart=/usr/libexec/mpgen/feat-firewall start feat'],
    }),
  },
  {
    feature: 'uplinks[].nat masquerade and snat, firewall: iptables',
    snippet: 'firewall: iptables\nuplinks: [{nat: masquerade}, {nat: snat}]',
    files: everyBackend({
      [F.iptables]: [
        '*nat\n:mpgen-nat-feat - [0:0]\n-A mpgen-nat-feat -o eth1 ! -s 192.0.2.2 -j MASQUERADE\n-A mpgen-nat-feat -o eth2 ! -s 198.51.100.2 -j SNAT --to-source 198.51.100.2\n-I POSTROUTING 1 -j mpgen-nat-feat\nCOMMIT',
      ],
      [F.nft]: ABSENT,
      [F.firewallUnit]: ['ExecStart=/usr/libexec/mpgen/feat-firewall start feat'],
    }),
  },
  {
    feature: 'firewall: none (and no NAT)',
    snippet: 'firewall: none\nnat: none',
    files: everyBackend({ [F.nft]: ABSENT, [F.iptables]: ABSENT, [F.firewallUnit]: ABSENT, '/usr/libexec/mpgen/feat-firewall': ABSENT }),
  },
];

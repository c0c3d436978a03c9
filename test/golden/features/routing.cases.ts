/** Feature table: balancing and policy routing (weights, onlink, fallback, hash, table ids, routes). */
import { FILES as F, everyBackend, type FeatureCase } from './feature-case.js';

const mpRoute = (dest: string, table: number, w1: number, w2: number): string =>
  ['[Route]', `Destination=${dest}`, `Table=${table}`, `MultiPathRoute=192.0.2.1@eth1 ${w1}`, `MultiPathRoute=198.51.100.1@eth2 ${w2}`, 'Protocol=static'].join('\n');

export const ROUTING_CASES: FeatureCase[] = [
  {
    feature: 'uplinks[].weight',
    snippet: 'uplinks: [{weight: 3}, {weight: 1}]',
    files: {
      ifcfg: {
        [F.ifupLocal]: ['\tif mpgen_ready eth1; then set -- "$@" nexthop via 192.0.2.1 dev eth1 weight 3; fi', '\tif mpgen_ready eth2; then set -- "$@" nexthop via 198.51.100.1 dev eth2 weight 1; fi'],
      },
      nm: {
        [F.nmDispatcher]: ['\tif mpgen_ready eth1; then set -- "$@" nexthop via 192.0.2.1 dev eth1 weight 3; fi', '\tif mpgen_ready eth2; then set -- "$@" nexthop via 198.51.100.1 dev eth2 weight 1; fi'],
      },
      eni: {
        [F.eni]: ['# uplink wan1: table 201, weight 3', '# uplink wan2: table 202, weight 1'],
        [F.eniShared]: ['  set -- "$@" nexthop via 192.0.2.1 dev eth1 weight 3', '  set -- "$@" nexthop via 198.51.100.1 dev eth2 weight 1'],
      },
      networkd: { [F.networkdWan1]: [mpRoute('0.0.0.0/0', 222, 3, 1)] },
      netplan: { [F.netplanEth1DropIn]: [mpRoute('0.0.0.0/0', 222, 3, 1)] },
    },
  },
  {
    feature: 'uplinks[].onlink: true',
    snippet: 'uplinks: [{onlink: true}]',
    files: {
      ifcfg: {
        [F.routeEth1]: ['192.0.2.1 dev eth1 scope link proto static', 'default via 192.0.2.1 dev eth1 src 192.0.2.2 table 201 proto static onlink'],
        [F.ifupLocal]: ['\tif mpgen_ready eth1; then set -- "$@" nexthop via 192.0.2.1 dev eth1 weight 1 onlink; fi'],
      },
      nm: {
        [F.nmWan1]: ['route1=192.0.2.1/32,0.0.0.0,0\nroute1_options=scope=253,table=254\nroute2=0.0.0.0/0,192.0.2.1,0\nroute2_options=onlink=true,src=192.0.2.2,table=201'],
        [F.nmDispatcher]: ['\tif mpgen_ready eth1; then set -- "$@" nexthop via 192.0.2.1 dev eth1 weight 1 onlink; fi'],
      },
      eni: {
        [F.eni]: [
          '    post-up ip route replace 192.0.2.1 dev eth1 scope link proto static\n    post-up ip route replace default via 192.0.2.1 dev eth1 src 192.0.2.2 proto static onlink table 201',
          '    pre-down ip route del default via 192.0.2.1 dev eth1 src 192.0.2.2 proto static onlink table 201 2>/dev/null || true\n    pre-down ip route del 192.0.2.1 dev eth1 scope link proto static 2>/dev/null || true',
        ],
        [F.eniShared]: ['  set -- "$@" nexthop via 192.0.2.1 dev eth1 weight 1 onlink'],
      },
      // MultiPathRoute= cannot say onlink: a unit installs the route
      networkd: {
        [F.networkdWan1]: ['KeepConfiguration=static', 'GatewayOnLink=yes', '[Route]\nDestination=192.0.2.1/32\nScope=link'],
        '/usr/lib/systemd/system/mpgen-routes-feat.service': ['ExecStart=ip route replace 0.0.0.0/0 table 222 proto static nexthop via 192.0.2.1 dev eth1 weight 1 onlink nexthop via 198.51.100.1 dev eth2 weight 1'],
      },
      netplan: {
        [F.netplan]: ['        - to: 0.0.0.0/0\n          via: 192.0.2.1\n          on-link: true\n          from: 192.0.2.2\n          table: 201', '        - to: 192.0.2.1/32\n          scope: link'],
        [F.netplanEth1DropIn]: { without: ['MultiPathRoute=192.0.2.1@eth1 1'] },
        '/usr/lib/systemd/system/mpgen-routes-feat.service': ['ExecStart=ip route replace 0.0.0.0/0 table 222 proto static nexthop via 192.0.2.1 dev eth1 weight 1 onlink nexthop via 198.51.100.1 dev eth2 weight 1'],
      },
    },
  },
  {
    feature: 'routing.prohibit_fallback: false',
    snippet: 'routing: {prohibit_fallback: false}',
    files: {
      ifcfg: { [F.routeEth1]: { lines: ['default via 192.0.2.1 dev eth1 src 192.0.2.2 table 201 proto static'], without: ['prohibit default table 201 proto static metric 1'] } },
      nm: { [F.nmWan1]: { lines: ['route1=0.0.0.0/0,192.0.2.1,0'], without: ['route2=0.0.0.0/0,0.0.0.0,1', 'route2_options=table=201,type=prohibit'] } },
      eni: { [F.eni]: { without: ['    post-up ip route replace prohibit default proto static metric 1 table 201'] } },
      networkd: { [F.networkdWan1]: { without: ['Type=prohibit'] } },
      netplan: { [F.netplan]: { without: ['          type: prohibit'] } },
    },
  },
  {
    feature: 'routing.hash: l3',
    snippet: 'routing: {hash: l3}',
    files: everyBackend({ [F.sysctl]: ['# l3 hash of new flows over the nexthops\nnet.ipv4.fib_multipath_hash_policy = 0'] }),
  },
  {
    feature: 'uplinks[].table, routing.multipath_table and routing.rule_priority_base',
    snippet: 'uplinks: [{table: 101}, {table: 102}]\nrouting: {multipath_table: 300, rule_priority_base: 1000}',
    files: {
      ifcfg: {
        [F.rtTables]: ['101\tmpgen-feat-wan1\n102\tmpgen-feat-wan2\n300\tmpgen-feat-mp'],
        [F.routeEth1]: ['default via 192.0.2.1 dev eth1 src 192.0.2.2 table 101 proto static', 'prohibit default table 101 proto static metric 1'],
        [F.ruleEth2]: ['from 198.51.100.2/32 table 102 priority 1002\npriority 1000 table main suppress_prefixlength 0\npriority 1022 table 300'],
        [F.ifupLocal]: ['\tip route replace default table 300 proto static "$@" ||'],
      },
      nm: {
        [F.rtTables]: ['101\tmpgen-feat-wan1\n102\tmpgen-feat-wan2\n300\tmpgen-feat-mp'],
        [F.nmWan1]: ['route1_options=src=192.0.2.2,table=101', 'routing-rule1=priority 1001 from 192.0.2.2/32 table 101\nrouting-rule2=priority 1000 from 0.0.0.0/0 suppress_prefixlength 0 table 254\nrouting-rule3=priority 1022 from 0.0.0.0/0 table 300'],
      },
      eni: {
        [F.eni]: ['# uplink wan1: table 101, weight 1', '    post-up ip rule add priority 1001 from 192.0.2.2/32 lookup 101'],
        [F.eniShared]: ['  ip route replace default table 300 proto static "$@" || status=1\n  ensure_rule priority 1000 lookup main suppress_prefixlength 0 || status=1\n  ensure_rule priority 1022 lookup 300 || status=1'],
      },
      networkd: { [F.networkdWan1]: ['Table=101', mpRoute('0.0.0.0/0', 300, 1, 1)] },
      netplan: {
        [F.netplan]: ['      routing-policy:\n        - from: 192.0.2.2/32\n          table: 101\n          priority: 1001'],
        [F.netplanEth1DropIn]: [mpRoute('0.0.0.0/0', 300, 1, 1), '[RoutingPolicyRule]\nTable=main\nPriority=1000\nSuppressPrefixLength=0', '[RoutingPolicyRule]\nTable=300\nPriority=1022'],
      },
    },
  },
  {
    feature: 'routes: a CIDR besides the default',
    snippet: 'routes: [default, 10.20.0.0/16]',
    files: {
      ifcfg: {
        [F.routeEth1]: ['default via 192.0.2.1 dev eth1 src 192.0.2.2 table 201 proto static\n10.20.0.0/16 via 192.0.2.1 dev eth1 src 192.0.2.2 table 201 proto static\nprohibit default table 201 proto static metric 1\nprohibit 10.20.0.0/16 table 201 proto static metric 1'],
        [F.ifupLocal]: ['\tip route replace 10.20.0.0/16 table 222 proto static "$@" ||'],
      },
      nm: { [F.nmWan1]: ['route2=10.20.0.0/16,192.0.2.1,0\nroute2_options=src=192.0.2.2,table=201', 'route4=10.20.0.0/16,0.0.0.0,1\nroute4_options=table=201,type=prohibit'] },
      eni: {
        [F.eni]: ['    post-up ip route replace 10.20.0.0/16 via 192.0.2.1 dev eth1 src 192.0.2.2 proto static table 201', '    post-up ip route replace prohibit 10.20.0.0/16 proto static metric 1 table 201'],
        [F.eniShared]: ['  ip route replace 10.20.0.0/16 table 222 proto static "$@" || status=1', '  ip route del 10.20.0.0/16 table 222 proto static 2>/dev/null || true'],
      },
      networkd: { [F.networkdWan1]: ['[Route]\nDestination=10.20.0.0/16\nTable=201\nGateway=192.0.2.1\nPreferredSource=192.0.2.2\nProtocol=static', mpRoute('10.20.0.0/16', 222, 1, 1)] },
      netplan: {
        [F.netplan]: ['        - to: 10.20.0.0/16\n          via: 192.0.2.1\n          from: 192.0.2.2\n          table: 201'],
        [F.netplanEth1DropIn]: [mpRoute('10.20.0.0/16', 222, 1, 1)],
      },
    },
  },
];

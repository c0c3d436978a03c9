/**
 * The netplan backend (ubuntu): netplan YAML for what netplan can express
 * (addresses, mtu, MAC pinning, per-uplink tables, prohibit fallback, the
 * per-uplink rules), and systemd-networkd drop-ins beside the .network files
 * netplan generates for what it cannot: the multipath route (netplan has no
 * nexthop key), the suppress rule (routing-policy has no suppress key and
 * needs from or to), the fwmark rules (routing-policy `mark` has no mask), teql, and addresses
 * without a prefix route; and the networkd.conf.d drop-in of the networkd backend.
 */
import type { Uplink } from '../model/model.js';
import { FILE_MODE, planFile, type PlannedFile } from '../base/planned-file.js';
import { renderTemplate } from '../base/templates.js';
import { addressOf } from '../state/query.js';
import type { KernelState } from '../state/state.js';
import { cidrText } from '../state/value.js';
import { marker, type Backend, type Contribution, type RenderContext } from './backend.js';
import { renderNetwork, type KeyValue, type NetworkFile } from './networkd-files.js';
import { bondFile, foreignConf, hookUnitFile, hookWork, markRuleNotes, teqlIdOf } from './networkd.js';
import { pppBesideNetworkd } from './networkd-ppp.js';

/** A PPPoE uplink's drop-in (src/backends/networkd-ppp.ts): its Ethernet has no address; pppd's link is not netplan's. */
const PPPOE_DROPIN_COMMENT = [
  "The Ethernet of a PPPoE session: its table's prohibit fallback is in the YAML, its fwmark rule here; pppd's device",
  "has the session's address and routes (Unmanaged= in its own .network), the rule from that address is the keepalive's.",
];
import {
  dhcpSection,
  markRules,
  multipathPlan,
  ndAddress,
  onlinkHostRoute,
  sharedRules,
  uplinkRule,
  uplinkTableRoutes,
  type MultipathPlan,
  type NdRoute,
} from './networkd-routing.js';

export const netplanPath = (s: KernelState): string => s.names.files.netplan;

interface RouteYaml {
  to: string;
  via: string | undefined;
  onLink: boolean;
  from: string | undefined;
  scope: string | undefined;
  type: string | undefined;
  metric: number | undefined;
  table: number | undefined;
}

interface EthernetYaml {
  id: string;
  dhcp4: boolean;
  /** the Ethernet of a PPPoE session: `link-local: []` too (no address of any kind) */
  pppoe: boolean;
  macAddress: string | undefined;
  addresses: string[];
  mtu: number | undefined;
  wan: boolean;
  routes: RouteYaml[];
  rules: Array<{ from: string | undefined; table: string; priority: number }>;
}

const routeYaml = (r: NdRoute): RouteYaml => ({
  to: r.destination,
  via: r.gateway,
  onLink: r.onLink,
  from: r.preferredSource,
  scope: r.scope,
  type: r.type,
  metric: r.metric,
  table: r.table,
});

function uplinkYaml(s: KernelState, u: Uplink): EthernetYaml {
  if (u.addressing === 'dhcp') {
    // the address is the lease's; the rule from it is the keepalive's
    return { id: u.interface, dhcp4: true, pppoe: false, macAddress: u.mac, addresses: [], mtu: u.mtu, wan: true, routes: uplinkTableRoutes(s, u.name).map(routeYaml), rules: [] };
  }
  if (u.addressing === 'pppoe') {
    // pppd's link carries the address, its routes and the rule (src/backends/networkd-ppp.ts); of
    // table T only the prohibit fallback is fixed, and the Ethernet keeps its own MTU
    return { id: u.interface, dhcp4: false, pppoe: true, macAddress: u.mac, addresses: [], mtu: undefined, wan: true, routes: uplinkTableRoutes(s, u.name).map(routeYaml), rules: [] };
  }
  const address = addressOf(s, u.name);
  return {
    id: u.interface,
    dhcp4: false,
    pppoe: false,
    macAddress: u.mac,
    // netplan has no noprefixroute: such an address lives in the drop-in instead.
    addresses: address.noPrefixRoute ? [] : [cidrText(address.local)],
    mtu: u.mtu,
    wan: true,
    routes: [...uplinkTableRoutes(s, u.name), ...onlinkHostRoute(s, u.name)].map(routeYaml),
    rules: [uplinkRule(s, u.name)].map((r) => ({ from: r.from, table: r.table, priority: r.priority })),
  };
}

function uplinkDropin(ctx: RenderContext, u: Uplink, mp: MultipathPlan, hook: boolean): NetworkFile {
  const m = ctx.model;
  const first = u.index === 0;
  const dhcp = u.addressing === 'dhcp';
  // networkd's start would otherwise remove and re-add the address, dropping its NAT connections
  // (a lease: kept across a restart, not past its expiry)
  const network: KeyValue[] = [{ key: 'KeepConfiguration', value: dhcp ? 'dhcp-on-stop' : 'static' }];
  const f: NetworkFile = {
    marker: marker(m),
    comments: [`uplink ${u.name}: what netplan cannot express for ${u.interface}`, ...(u.addressing === 'pppoe' ? PPPOE_DROPIN_COMMENT : [])],
    // netplan's `optional: true` means RequiredForOnline=no, and with every uplink so wait-online
    // waits for nothing and times out (2 minutes in the boot lab); no-carrier keeps the uplink in
    // view while a line without carrier still counts as online.
    link: [{ key: 'RequiredForOnline', value: 'no-carrier' }],
    network,
    addresses: u.addressing !== 'static' ? [] : [addressOf(ctx.state, u.name)].filter((a) => a.noPrefixRoute).map(ndAddress),
    routes: first ? mp.routes : [],
    // netplan's routing-policy `mark` takes no mask: the fwmark rule goes here
    rules: [...(ctx.caps.networkdFirewallMark ? markRules(ctx.state, u.name) : []), ...(first ? sharedRules(ctx.state) : [])],
    teqlId: teqlIdOf(ctx, u.name),
    sections: dhcp ? [dhcpSection(u.table)] : [],
  };
  if (first) f.comments.push('The first uplink also carries the rules that belong to no single uplink and the multipath route: networkd has no global routing section.');
  return f;
}

export const netplan: Backend = (ctx): Contribution => {
  const m = ctx.model;
  const mp = multipathPlan(ctx.state, ctx.caps, ctx.distro.versions.systemd);
  const work = hookWork(ctx, mp);
  const hook = work.start.length > 0;

  const files: PlannedFile[] = [];
  const dropins: string[] = [];
  for (const u of m.uplinks) {
    const d = uplinkDropin(ctx, u, mp, hook);
    const path = ctx.state.names.files.netplanDropin(u.interface);
    dropins.push(path);
    files.push(planFile(path, renderNetwork(d)));
  }
  const ethernets = m.uplinks.map((u) => uplinkYaml(ctx.state, u));
  if (m.lan) {
    ethernets.push({ id: m.lan.interface, dhcp4: false, pppoe: false, macAddress: undefined, addresses: [cidrText(addressOf(ctx.state, 'lan').local)], mtu: undefined, wan: false, routes: [], rules: [] });
  }
  const ppp = pppBesideNetworkd(ctx);
  files.push(...ppp.files);
  // netplan has no PPPoE key: the unmanaged pppN .network is networkd's own, as in the networkd backend
  dropins.push(...ppp.networks);
  const bond = bondFile(ctx);
  if (bond) {
    // teqlN is no ethernet and netplan has no teql: networkd's own .network, as in the networkd backend.
    files.push(planFile(ctx.state.names.files.networkdBond, renderNetwork(bond)));
    dropins.push(ctx.state.names.files.networkdBond);
  }
  const foreign = foreignConf(ctx, hook);
  if (foreign.file) {
    files.push(foreign.file);
    dropins.push(foreign.file.path);
  }
  files.push(planFile(netplanPath(ctx.state), renderTemplate('netplan/netplan.yaml', { marker: marker(m), dropins, ethernets }), FILE_MODE.secret));
  const unit = hookUnitFile(ctx, work);
  if (unit) files.push(unit);

  const notes = [...mp.notes, ...foreign.notes, ...markRuleNotes(ctx), ...(ppp.notes ?? [])];
  if (m.bond) notes.push(`netplan has no teql: the slaves attach through [TrivialLinkEqualizer] drop-ins and ${m.bond.interface} has its own .network.`);
  return {
    files,
    enable: [...(unit ? [unit.path.slice(unit.path.lastIndexOf('/') + 1)] : []), ...ppp.enable],
    depends: { deb: ['netplan.io', 'systemd', 'iproute2', ...(ppp.depends?.deb ?? [])] },
    notes,
    ...(ppp.onRemove ? { onRemove: ppp.onRemove } : {}),
  };
};

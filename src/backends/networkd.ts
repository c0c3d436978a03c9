/**
 * The systemd-networkd backend (arch, and `--backend networkd` anywhere):
 * one .network per uplink, one for the LAN and one for the teql bond, a .link
 * per pinned NIC, and a hook unit for what networkd cannot express on the
 * distro's systemd. Features are gated on the distro's systemd version
 * (src/backends/features.ts).
 */
import type { Uplink } from '../model/model.js';
import { FILE_MODE, planFile, type PlannedFile } from '../base/planned-file.js';
import { marker, type Backend, type Contribution, type RenderContext } from './backend.js';
import { needs } from './features.js';
import { addressOf, rpFilterOf } from '../state/query.js';
import { renderHookUnit, renderLink, renderNetwork, type KeyValue, type NetworkFile } from './networkd-files.js';
import { PPPOE_ROUTING_COMMENT, pppBesideNetworkd, pppoeEthernetComment, pppoeEthernetLink, pppoeEthernetNetwork } from './networkd-ppp.js';
import {
  bondRoutes,
  dhcpSection,
  multipathPlan,
  markRules,
  ndAddress,
  onlinkHostRoute,
  rpFilterWord,
  sharedRules,
  teqlHook,
  uplinkRule,
  uplinkTableRoutes,
  type Command,
  type MultipathPlan,
} from './networkd-routing.js';

/** What networkd cannot express on this systemd, to be done by the hook unit. */
export interface HookWork {
  start: Command[];
  stop: Command[];
  what: string[];
  why: string[];
}

export function hookWork(ctx: RenderContext, mp: MultipathPlan): HookWork {
  const w: HookWork = { start: [...mp.hookStart], stop: [...mp.hookStop], what: [], why: [] };
  if (mp.hookWhy !== undefined) {
    w.what.push('multipath route');
    w.why.push(mp.hookWhy);
  }
  if (ctx.model.bond && !ctx.caps.networkdTeql) {
    const t = teqlHook(ctx.state);
    w.start.push(...t.start);
    w.stop.push(...t.stop);
    w.what.push('teql slave qdiscs');
    w.why.push(`systemd ${ctx.distro.versions.systemd} has no [TrivialLinkEqualizer] (${needs('networkdTeql')})`);
  }
  return w;
}

export function hookUnitFile(ctx: RenderContext, w: HookWork): PlannedFile | undefined {
  if (w.start.length === 0) return undefined;
  const m = ctx.model;
  return planFile(
    `${ctx.distro.paths.units}/${ctx.state.names.units.routesHook}`,
    renderHookUnit({
      marker: marker(m),
      name: m.name,
      what: w.what.join(' and '),
      why: `${w.why.join('; ')}. KeepConfiguration=static on the uplinks keeps networkd from removing these at its start.`,
      start: w.start,
      stop: w.stop,
    }),
  );
}

/**
 * networkd.conf.d: networkd removes routes and rules it did not configure when it (re)configures
 * a link; the keepalive's multipath route changes, the hook unit's routes and anything the
 * firewall or the keepalive add would go. Global to networkd, so only with a keepalive or a hook.
 */
export function foreignConf(ctx: RenderContext, hook: boolean): { file?: PlannedFile; notes: string[] } {
  if (!ctx.model.keepalive.enabled && !hook) return { notes: [] };
  const network: KeyValue[] = [];
  const notes: string[] = [];
  const systemd = ctx.distro.versions.systemd;
  if (ctx.caps.networkdManageForeignRoutes) network.push({ key: 'ManageForeignRoutes', value: 'no' });
  if (ctx.caps.networkdManageForeignRules) network.push({ key: 'ManageForeignRoutingPolicyRules', value: 'no' });
  else notes.push(`networkd ${systemd} has no ManageForeignRoutingPolicyRules= (${needs('networkdManageForeignRules')}): networkd 248 removes the ip rules it did not add when it starts, earlier releases leave them.`);
  if (!ctx.caps.networkdManageForeignRoutes) notes.push(`networkd ${systemd} has no ManageForeignRoutes= (${needs('networkdManageForeignRoutes')}): KeepConfiguration= alone keeps routes it did not add.`);
  if (network.length === 0) return { notes };
  const file = planFile(
    ctx.state.names.files.networkdConf,
    renderNetwork({
      marker: marker(ctx.model),
      comments: [
        `profile ${ctx.model.name}: networkd leaves the routes and rules it did not configure alone (the keepalive changes the multipath route,`,
        'the hook unit and the keepalive add routes). This applies to every link networkd manages.',
      ],
      link: [],
      network,
      addresses: [],
      routes: [],
      rules: [],
    }),
  );
  notes.push(`networkd: ${ctx.state.names.files.networkdConf} keeps networkd off the routes and rules it did not configure, for every link; networkd reads it when it starts (restart systemd-networkd or reboot after installing).`);
  return { file, notes };
}

/** Without FirewallMark= the uplinks' mark rules are left out, and said so. */
export function markRuleNotes(ctx: RenderContext): string[] {
  if (ctx.caps.networkdFirewallMark || !ctx.state.rules.some((r) => r.role === 'mark')) return [];
  return [`networkd ${ctx.distro.versions.systemd} has no FirewallMark= (${needs('networkdFirewallMark')}): the fwmark rules are not written, and pinned connections follow the multipath route.`];
}

const FIRST_UPLINK_COMMENT = [
  'This uplink also carries the rules that belong to no single uplink (and the multipath route): networkd has no',
  'global routing section, and a WAN link keeps its configuration without carrier (ConfigureWithoutCarrier=yes).',
];

/**
 * A PPPoE uplink's Ethernet (src/backends/networkd-ppp.ts): no address, and the uplink's fixed
 * routing (prohibit fallback, fwmark rule, the shared part on the first uplink), none of which
 * names the PPP device; what follows the session is pppd's hook's and the keepalive's.
 */
function pppoeUplinkFile(ctx: RenderContext, u: Uplink, mp: MultipathPlan): NetworkFile {
  const first = u.index === 0;
  return {
    marker: marker(ctx.model),
    comments: [pppoeEthernetComment(ctx, u), ...PPPOE_ROUTING_COMMENT, ...(first ? FIRST_UPLINK_COMMENT : [])],
    match: { name: u.interface, macAddress: u.mac },
    link: pppoeEthernetLink(),
    network: pppoeEthernetNetwork(ctx, u),
    addresses: [],
    // the session's own routes are runtime ones: only the prohibit fallback is left of table T here
    routes: [...uplinkTableRoutes(ctx.state, u.name), ...(first ? mp.routes : [])],
    rules: [...(ctx.caps.networkdFirewallMark ? markRules(ctx.state, u.name) : []), ...(first ? sharedRules(ctx.state) : [])],
    sections: [],
  };
}

function uplinkFile(ctx: RenderContext, u: Uplink, mp: MultipathPlan, hook: boolean): NetworkFile {
  const m = ctx.model;
  const first = u.index === 0;
  if (u.addressing === 'pppoe') return pppoeUplinkFile(ctx, u, mp);
  const dhcp = u.addressing === 'dhcp';
  const network: KeyValue[] = [
    // A WAN link without carrier at boot must not hold back the others (and the multipath route).
    { key: 'ConfigureWithoutCarrier', value: 'yes' },
  ];
  if (dhcp) network.unshift({ key: 'DHCP', value: 'ipv4' });
  if (ctx.caps.networkdRpFilter) network.push({ key: 'IPv4ReversePathFilter', value: rpFilterWord(rpFilterOf(ctx.state, u.interface)) });
  // Without it networkd's start (a package upgrade restarts it) removes the address and adds it
  // again: the kernel then drops every connection masqueraded to it (found in the boot lab). A
  // lease is kept across a restart likewise, but not past its expiry (`dhcp` and `yes` would).
  network.push({ key: 'KeepConfiguration', value: dhcp ? 'dhcp-on-stop' : 'static' });
  // the lease's routes, default included, go into the uplink's table, never into main; the
  // keepalive adds the rule from the leased address and the nexthop in the balance
  const sections = dhcp ? [dhcpSection(u.table)] : [];
  // no-carrier, not no: wait-online must still see the uplinks (with every link "no" it waits for
  // nothing, times out after 2 minutes and delays network-online.target, found in the boot lab),
  // yet a configured link without carrier counts as online, so a dead line does not hold up boot.
  const link: KeyValue[] = [{ key: 'RequiredForOnline', value: 'no-carrier' }];
  if (u.mtu !== undefined) link.unshift({ key: 'MTUBytes', value: String(u.mtu) });
  const comments = [`uplink ${u.name}: table ${u.table}, rule priority ${u.rulePriority}${dhcp ? '; DHCP: the keepalive adds the rule from the leased address' : ''}`];
  if (first) comments.push(...FIRST_UPLINK_COMMENT);
  return {
    marker: marker(m),
    comments,
    match: { name: u.interface, macAddress: u.mac },
    link,
    network,
    addresses: dhcp ? [] : [ndAddress(addressOf(ctx.state, u.name))],
    routes: [...uplinkTableRoutes(ctx.state, u.name), ...onlinkHostRoute(ctx.state, u.name), ...(first ? mp.routes : [])],
    rules: [...(dhcp ? [] : [uplinkRule(ctx.state, u.name)]), ...(ctx.caps.networkdFirewallMark ? markRules(ctx.state, u.name) : []), ...(first ? sharedRules(ctx.state) : [])],
    teqlId: teqlIdOf(ctx, u.name),
    sections,
  };
}

/** [TrivialLinkEqualizer] Id= of a slave attached at boot (tier 1; the keepalive attaches the others). */
export function teqlIdOf(ctx: RenderContext, uplink: string): number | undefined {
  const b = ctx.model.bond;
  return b && ctx.caps.networkdTeql && ctx.state.qdiscs.some((q) => q.owner === uplink) ? b.index : undefined;
}

function lanFile(ctx: RenderContext): NetworkFile | undefined {
  const m = ctx.model;
  if (!m.lan) return undefined;
  return {
    marker: marker(m),
    comments: ['lan'],
    match: { name: m.lan.interface },
    link: [],
    network: ctx.caps.networkdRpFilter ? [{ key: 'IPv4ReversePathFilter', value: rpFilterWord(rpFilterOf(ctx.state, m.lan.interface)) }] : [],
    addresses: [ndAddress(addressOf(ctx.state, 'lan'))],
    routes: [],
    rules: [],
  };
}

export function bondFile(ctx: RenderContext): NetworkFile | undefined {
  const m = ctx.model;
  const bond = m.bond;
  if (!bond) return undefined;
  const network: KeyValue[] = [{ key: 'ConfigureWithoutCarrier', value: 'yes' }];
  if (ctx.caps.networkdRpFilter) network.push({ key: 'IPv4ReversePathFilter', value: rpFilterWord(rpFilterOf(ctx.state, bond.interface)) });
  return {
    marker: marker(m),
    comments: [
      `teql bond ${bond.interface}: created by sch_teql (modules-load.d), not by networkd; the slaves attach to it`,
      'with a teql root qdisc each. NOARP: the gateway is reached onlink.',
    ],
    match: { name: bond.interface },
    link: bond.mtu !== undefined ? [{ key: 'MTUBytes', value: String(bond.mtu) }] : [],
    network,
    addresses: [ndAddress(addressOf(ctx.state, 'bond'))],
    routes: bondRoutes(ctx.state),
    rules: [],
  };
}

export const networkd: Backend = (ctx): Contribution => {
  const m = ctx.model;
  const systemd = ctx.distro.versions.systemd;
  const mp = multipathPlan(ctx.state, ctx.caps, systemd);
  const work = hookWork(ctx, mp);
  const hook = work.start.length > 0;
  const files: PlannedFile[] = [];
  for (const u of m.uplinks) {
    files.push(planFile(ctx.state.names.files.networkdUplink.get(u.name)!, renderNetwork(uplinkFile(ctx, u, mp, hook))));
    if (u.mac !== undefined) files.push(planFile(ctx.state.names.files.networkdLink.get(u.name)!, renderLink(marker(m), u.interface, u.mac), FILE_MODE.regular));
  }
  const lan = lanFile(ctx);
  if (lan) files.push(planFile(ctx.state.names.files.networkdLan, renderNetwork(lan)));
  const bond = bondFile(ctx);
  if (bond) files.push(planFile(ctx.state.names.files.networkdBond, renderNetwork(bond)));
  const unit = hookUnitFile(ctx, work);
  if (unit) files.push(unit);
  const foreign = foreignConf(ctx, hook);
  if (foreign.file) files.push(foreign.file);
  const ppp = pppBesideNetworkd(ctx);
  files.push(...ppp.files);

  const notes = [...mp.notes, ...foreign.notes, ...markRuleNotes(ctx), ...(ppp.notes ?? [])];
  if (m.bond && !ctx.caps.networkdTeql) {
    notes.push(`networkd ${systemd} has no [TrivialLinkEqualizer] (${needs('networkdTeql')}): ${ctx.state.names.units.routesHook} attaches the slaves with tc.`);
  }
  if (m.uplinks.some((u) => u.mac !== undefined)) {
    notes.push('networkd: pinned NICs are renamed by udev through .link files, which apply when the device appears (reboot, or update the initramfs if it carries .link files).');
  }
  if (!ctx.caps.networkdRpFilter) {
    notes.push(`networkd ${systemd} has no IPv4ReversePathFilter= (${needs('networkdRpFilter')}): rp_filter comes from the sysctl.d file only.`);
  }
  return {
    files,
    enable: ['systemd-networkd.service', ...(unit ? [ctx.state.names.units.routesHook] : []), ...ppp.enable],
    depends: {
      deb: ['systemd', 'iproute2', ...(ppp.depends?.deb ?? [])],
      rpm: ['systemd-networkd', 'iproute', ...(m.bond && !ctx.caps.networkdTeql ? ['iproute-tc'] : []), ...(ppp.depends?.rpm ?? [])],
    },
    notes,
    ...(ppp.onRemove ? { onRemove: ppp.onRemove } : {}),
  };
};

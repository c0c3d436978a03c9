/**
 * NetworkManager keyfiles (one per uplink and for the LAN), a conf.d drop-in
 * that leaves the teql bond unmanaged, and a dispatcher script for what a
 * keyfile cannot hold: teql, the equalize flag, multipath before NM 1.42,
 * prohibit routes before NM 1.36, and the connected route of a balanced
 * subnet. docs/backends/redhat.md explains the choices.
 */
import { createHash } from 'node:crypto';
import { FILE_MODE, planFile, type PlannedFile } from '../base/planned-file.js';
import { renderTemplate } from '../base/templates.js';
import { addressOf, explicitTarget, fromText, fwmarkText, markRules, routesByRole, routesOf, sharedRules as sharedRuleState, uplinkRule } from '../state/query.js';
import type { KernelState, Route, Rule } from '../state/state.js';
import { cidrText, isRuntime, literal } from '../state/value.js';
import { marker, type Backend, type Contribution, type RenderContext } from './backend.js';
import { since } from './features.js';
import { bondRouteLines, casePattern, multipathFunction, noPrefixRoutes, routeLine } from './ifcfg-shell.js';
import { nmPppoe, pppoeUpCommands } from './nm-pppoe.js';

export interface NmRoute {
  n: number;
  /** `dest/prefix,gateway,metric` (gateway 0.0.0.0 when none) */
  value: string;
  /** `key=value,...` sorted by key, as nmcli writes them back */
  options: string;
}

export interface NmRule {
  n: number;
  value: string;
}

export interface KeyfileView {
  marker: string;
  comments: string[];
  id: string;
  uuid: string;
  interfaceName: string;
  mac: string | null;
  mtu: string | null;
  /** a static uplink's (and the LAN's) `ADDR/P`; '' for a DHCP uplink */
  address: string;
  /** a DHCP uplink: the table its lease's routes go into (ipv4.route-table) */
  dhcp: { table: string } | null;
  routes: NmRoute[];
  rules: NmRule[];
}

export interface DispatcherView {
  marker: string;
  multipathFn: string;
  /** the uplinks whose `down` rewrites the multipath route */
  uplinks: string;
  /** the uplinks whose `up` rewrites it: the static ones (a DHCP uplink's nexthop is the keepalive's) */
  upUplinks: string;
  /** slaves: every uplink (detached when it goes down); attach: the tier-1 slaves, attached when up */
  teql: { bond: string; slaves: string; attach: string; address: string; mtu: string | null; routes: string[] } | null;
  /** per-device commands on `up` */
  up: { dev: string; commands: string[] }[];
}

export interface NmView {
  /** connection id (file name without .nmconnection) → keyfile */
  keyfiles: Map<string, KeyfileView>;
  dispatcher: DispatcherView | null;
  /** conf.d drop-in leaving teqlN unmanaged (teql mode) */
  unmanaged: { marker: string; name: string; bond: string } | null;
  notes: string[];
}

function options(o: Record<string, string | number | boolean | undefined>): string {
  return Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${k}=${String(o[k])}`)
    .join(',');
}

/** A stable UUID (v5 layout) from the profile and connection names: renders are reproducible. */
export function connectionUuid(profile: string, id: string): string {
  const h = createHash('sha1').update(`mpgen:${profile}:${id}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** `dest/prefix,gateway,metric` and its options, for one route of the kernel state. */
function nmRoute(r: Route): Omit<NmRoute, 'n'> {
  const to = explicitTarget(r);
  if (r.role === 'gateway-host') return { value: `${to},0.0.0.0,0`, options: options({ scope: 253, table: r.table }) };
  if (r.type === 'prohibit') return { value: `${to},0.0.0.0,${r.metric}`, options: options({ table: r.table, type: 'prohibit' }) };
  const src = literal(r.source!);
  if (r.gateway) return { value: `${to},${literal(r.gateway)},0`, options: options({ onlink: r.onlink || undefined, src, table: r.table }) };
  return { value: `${to},0.0.0.0,0`, options: options({ scope: 253, src, table: r.table }) };
}

/** A lease's route (its router, its address) is the DHCP client's to add: NM with ipv4.route-table. */
const fixed = (r: Route): boolean => !isRuntime(r.gateway) && !isRuntime(r.source);

/** The routes of one uplink's keyfile; the prohibit fallbacks only where NM can say them. */
export function uplinkRoutes(state: KernelState, uplink: string, prohibitRoute: boolean): NmRoute[] {
  const roles = prohibitRoute ? (['gateway-host', 'uplink', 'prohibit'] as const) : (['gateway-host', 'uplink'] as const);
  return roles.flatMap((role) => routesOf(state, uplink, role).filter(fixed).map(nmRoute)).map((r, i) => ({ n: i + 1, ...r }));
}

/** `routing-ruleN=` of one rule: NM wants a from, so "from all" is 0.0.0.0/0. */
export function nmRule(r: Rule): string {
  const from = r.from ? fromText(r) : '0.0.0.0/0';
  const mark = r.fwmark !== undefined ? ` fwmark ${fwmarkText(r)}` : '';
  const suppress = r.suppressPrefixLength !== undefined ? ` suppress_prefixlength ${r.suppressPrefixLength}` : '';
  return `priority ${r.priority} from ${from}${mark}${suppress} table ${r.table}`;
}

/** Rules every connection carries: NM tracks identical rules across profiles and keeps them while any is active. */
export const sharedRules = (state: KernelState): string[] => sharedRuleState(state).map(nmRule);

const numbered = (xs: string[]): NmRule[] => xs.map((value, i) => ({ n: i + 1, value }));

export function nmView(ctx: RenderContext): NmView {
  const { model, state, distro, caps } = ctx;
  const m = marker(model);
  const ids = { uplinks: state.names.uplinkConnection, lan: state.names.lanConnection };
  const keyfiles = new Map<string, KeyfileView>();
  const notes: string[] = [
    'nm: NetworkManager reads these keyfiles on every release (the default format on RHEL 9 and Fedora; RHEL 8 reads them too). ' +
      'Keyfiles must stay root-owned and mode 0600; load them with `nmcli connection reload`.',
  ];

  for (const u of model.uplinks) {
    // PPPoE: nm-pppoe.ts writes the session's keyfile and its parent's
    if (u.addressing === 'pppoe') continue;
    const id = ids.uplinks.get(u.name)!;
    // DHCP: NM's client puts every route of the lease, default included, into table T (route-table,
    // NM 1.10) at metric 0, below the prohibit fallback's 1; the keepalive adds the rule from the
    // leased address and the nexthop in the balance
    const dhcp = u.addressing === 'dhcp';
    keyfiles.set(id, {
      marker: m,
      comments: [`uplink ${u.name}: table ${u.table}, rule priority ${u.rulePriority}${dhcp ? '; DHCP: the keepalive adds the rule from the leased address' : ''}`],
      id,
      uuid: connectionUuid(model.name, id),
      interfaceName: u.interface,
      mac: u.mac ?? null,
      mtu: u.mtu !== undefined ? String(u.mtu) : null,
      address: dhcp ? '' : cidrText(addressOf(state, u.name).local),
      dhcp: dhcp ? { table: String(u.table) } : null,
      routes: uplinkRoutes(state, u.name, caps.nmProhibitRoute),
      rules: numbered([...(dhcp ? [] : [nmRule(uplinkRule(state, u.name))]), ...markRules(state, u.name).map(nmRule), ...sharedRules(state)]),
    });
  }
  if (model.lan && ids.lan) {
    keyfiles.set(ids.lan, {
      marker: m,
      comments: ['LAN'],
      id: ids.lan,
      uuid: connectionUuid(model.name, ids.lan),
      interfaceName: model.lan.interface,
      mac: null,
      mtu: null,
      address: cidrText(addressOf(state, 'lan').local),
      dhcp: null,
      routes: [],
      rules: numbered(sharedRules(state)),
    });
  }

  // What the dispatcher has to do.
  const up = new Map<string, string[]>();
  const add = (dev: string, cmd: string) => up.set(dev, [...(up.get(dev) ?? []), cmd]);
  for (const np of noPrefixRoutes(state)) add(np.dev, `${np.words} 2>/dev/null || :`);
  for (const c of pppoeUpCommands(state)) add(c.dev, c.command);
  const prohibits = routesByRole(state, 'prohibit');
  if (prohibits.length > 0 && !caps.nmProhibitRoute) {
    for (const u of state.uplinks) {
      for (const r of prohibits.filter((p) => p.owner === u.name)) {
        const route = routeLine(r);
        add(u.interface, `ip route replace ${route} || echo "mpgen: cannot install ${route}" >&2`);
      }
    }
    notes.push(`nm: NetworkManager ${distro.versions.networkmanager ?? '(unknown)'} predates route type=prohibit (${since('nmProhibitRoute')}): the dispatcher adds the prohibit fallbacks.`);
  }
  // The dispatcher, not NM, owns the multipath route. NM 1.42 can merge weighted per-device
  // routes into one, but in the boot lab (Debian 12, NM 1.42.4) it also left the first device's
  // single route in the table, which shadowed the multipath route (all flows on one line) and made
  // the keepalive's `ip route replace` fail; NM would also re-apply routes the keepalive changed.
  // (none when no static uplink is in the balance: the keepalive adds the DHCP uplinks' nexthops)
  const multipathFn = model.mode !== 'teql' ? multipathFunction(state).trimEnd() : '';
  const needsMultipathHook = multipathFn !== '';
  if (model.mode === 'multipath') {
    notes.push('nm: the dispatcher installs the multipath route with its weights (NetworkManager owns only the per-uplink tables and rules, so the keepalive can change the route).');
  }
  if (model.mode === 'equalize') {
    notes.push('nm: NetworkManager cannot express the equalize flag: the dispatcher installs the multipath route (iproute2 6.x drops the keyword; kernels ignore it).');
  }
  if (state.addresses.some((a) => a.noPrefixRoute)) {
    notes.push(
      'nm: NetworkManager always adds the connected route of an address; for uplinks whose subnet is balanced the dispatcher deletes it from main on `up`. ' +
        'NM may restore it when it re-applies the connection; the networkd and ifcfg backends avoid this.',
    );
  }
  const dhcp = model.uplinks.filter((u) => u.addressing === 'dhcp');
  if (dhcp.length > 0) {
    notes.push(
      `nm: ${dhcp.map((u) => `${u.name} (${u.interface})`).join(', ')}: NetworkManager's DHCP client puts the lease's routes into the uplink's table (ipv4.route-table, metric 0), never into main; ` +
        'the keepalive adds the rule from the leased address and the nexthop in the balance. With route-table set NM syncs every table for that device (not only main) and may delete a route through it that it did not add; the keepalive puts its routes back.',
    );
  }
  const bond = model.bond;
  if (bond) {
    notes.push(
      `nm: NetworkManager cannot create a teql device: ${bond.interface} is left unmanaged (conf.d) and the dispatcher attaches the slaves and configures it; ` +
        'NetworkManager-dispatcher must be enabled (it is D-Bus activated on RHEL and Fedora).',
    );
  }
  const dispatcherNeeded = bond !== undefined || needsMultipathHook || up.size > 0;
  const uplinkNames = model.uplinks.map((u) => u.interface);
  // `down` of a PPP device (its session ended) rewrites the route over the static uplinks, as a
  // DHCP uplink's does; `up` leaves it alone: the keepalive adds the nexthop over the device
  const downNames = model.uplinks.flatMap((u) => (u.device !== u.interface ? [u.interface, u.device] : [u.interface]));
  const dispatcher: DispatcherView | null = dispatcherNeeded
    ? {
        marker: m,
        multipathFn,
        uplinks: casePattern(downNames),
        upUplinks: casePattern(model.uplinks.filter((u) => u.addressing === 'static').map((u) => u.interface)),
        teql: bond
          ? {
              bond: bond.interface,
              slaves: casePattern(uplinkNames),
              attach: casePattern(state.qdiscs.map((q) => q.interface)),
              address: cidrText(addressOf(state, 'bond').local),
              mtu: bond.mtu !== undefined ? String(bond.mtu) : null,
              routes: bondRouteLines(state),
            }
          : null,
        up: [...up].map(([dev, commands]) => ({ dev, commands })),
      }
    : null;
  return {
    keyfiles,
    dispatcher,
    unmanaged: bond ? { marker: m, name: model.name, bond: bond.interface } : null,
    notes,
  };
}

export const nm: Backend = (ctx: RenderContext): Contribution => {
  const { model } = ctx;
  const view = nmView(ctx);
  const pppoe = nmPppoe(ctx);
  const files: PlannedFile[] = [...pppoe.files];
  for (const [id, k] of view.keyfiles) {
    files.push(planFile(`/etc/NetworkManager/system-connections/${id}.nmconnection`, renderTemplate('nm/keyfile', k), FILE_MODE.secret));
  }
  if (view.dispatcher) {
    // /usr/lib, not /etc: a packaged script is no conffile (rpmlint: executable-marked-as-config-file);
    // NetworkManager-dispatcher reads /usr/lib/NetworkManager/dispatcher.d since 1.31, and a file of the
    // same name in /etc still overrides it for the site.
    files.push(planFile(`/usr/lib/NetworkManager/dispatcher.d/${ctx.state.names.files.nmDispatcher}`, renderTemplate('nm/dispatcher', view.dispatcher), FILE_MODE.executable));
  }
  if (view.unmanaged) {
    files.push(planFile(ctx.state.names.files.nmUnmanaged, renderTemplate('nm/unmanaged.conf', view.unmanaged)));
  }
  const rpm = ['NetworkManager', 'iproute'];
  const deb = ['network-manager', 'iproute2'];
  if (model.mode === 'teql') {
    rpm.push('iproute-tc', 'kmod');
    deb.push('kmod');
  }
  rpm.push(...(pppoe.depends?.rpm ?? []));
  deb.push(...(pppoe.depends?.deb ?? []));
  return { files, depends: { rpm, deb }, notes: [...view.notes, ...(pppoe.notes ?? [])], enable: pppoe.enable, onRemove: pppoe.onRemove };
};

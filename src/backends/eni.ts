/**
 * The `eni` backend (Debian ifupdown): one /etc/network/interfaces.d/mpgen-NAME
 * file with a stanza per LAN, uplink and teql bond, plus one POSIX sh helper
 * for the state no single uplink owns (the main-suppress rule, the multipath
 * rule and the multipath route, built from the uplinks that are up).
 *
 * What the kernel must end up holding is docs/kernel-state.md; the command
 * lines live in eni-commands.ts, the layout in templates/eni/.
 */
import type { Model, Uplink } from '../model/model.js';
import { FILE_MODE, planFile, type PlannedFile } from '../base/planned-file.js';
import { renderTemplate } from '../base/templates.js';
import { addressOf, destinations, markRules, routesByRole, routesOf, sharedRules, uplinkRule } from '../state/query.js';
import type { KernelState, Route, Rule } from '../state/state.js';
import { cidrText, literal } from '../state/value.js';
import { marker, type Backend, type Contribution, type RenderContext } from './backend.js';
import * as cmd from './eni-commands.js';
import { pppFiles, secretsHelperPath } from './ppp.js';

export type EniPhase = 'pre-up' | 'post-up' | 'pre-down' | 'post-down';

export interface EniCommand {
  phase: EniPhase;
  cmd: string;
}

export interface EniStanza {
  iface: string;
  /** `static` normally; `manual` when the address must carry noprefixroute (see eni-commands.ts) and for a PPPoE Ethernet; `dhcp`, `ppp` for a dynamic uplink */
  method: 'static' | 'manual' | 'dhcp' | 'ppp';
  comment: string;
  options: { key: string; value: string }[];
  commands: EniCommand[];
}

export interface EniInterfacesView {
  marker: string;
  name: string;
  mode: string;
  helper: string;
  stanzas: EniStanza[];
}

export interface EniHelperView {
  marker: string;
  name: string;
  path: string;
  interfacesFile: string;
  multipath: boolean;
  equalize: boolean;
  /** some uplink is dynamic: it counts as up with any address (its lease's) */
  dynamic: boolean;
  table: number;
  uplinks: { interface: string; address: string; nexthop: string }[];
  destinations: string[];
  /** shared rules, in install order */
  rules: string[];
  /** the same rules, in removal order */
  rulesReversed: string[];
}

export const interfacesPath = (s: KernelState): string => s.names.files.eniInterfaces;

/** Where the shared-state helper lives: the distro's libexec directory (default /usr/libexec/mpgen). */
export function helperPath(ctx: RenderContext): string {
  const dir = ctx.distro.paths?.libexec || '/usr/libexec/mpgen';
  return `${dir.replace(/\/+$/, '')}/${ctx.state.names.files.eniHelper}`;
}

function linkOptions(mtu: number | undefined, mac: string | undefined): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  if (mac) out.push({ key: 'hwaddress', value: `ether ${mac}` });
  if (mtu !== undefined) out.push({ key: 'mtu', value: String(mtu) });
  return out;
}

/** An uplink's routes and rules after it is up, the shared helper, and all of it undone before it goes down. */
function upDown(c: EniCommand[], routes: { up: Route[]; down: Route[] }, rules: Rule[], helper: string, iface: string): void {
  const add = (phase: EniPhase, line: string) => c.push({ phase, cmd: line });
  for (const r of routes.up) add('post-up', cmd.routeAdd(r));
  for (const r of rules) {
    add('post-up', cmd.ruleDelete(r));
    add('post-up', cmd.ruleAdd(r));
  }
  add('post-up', `${helper} up ${iface}`);
  add('pre-down', `${helper} down ${iface}`);
  for (const r of [...rules].reverse()) add('pre-down', cmd.ruleDelete(r));
  for (const r of routes.down) add('pre-down', cmd.routeDel(r));
}

/**
 * A DHCP uplink: ifupdown runs the DHCP client; dhclient's hooks put the lease's router into the
 * uplink's table, and the keepalive keeps the rule from the leased address and the balance. The
 * stanza adds what is fixed: the prohibit fallback and the mark rules.
 */
function dhcpStanza(state: KernelState, u: Uplink, helper: string): EniStanza {
  const c: EniCommand[] = [];
  const prohibit = routesOf(state, u.name, 'prohibit');
  upDown(c, { up: prohibit, down: prohibit }, markRules(state, u.name), helper, u.interface);
  return {
    iface: u.interface,
    method: 'dhcp',
    comment: `uplink ${u.name}: DHCP, table ${u.table}, weight ${u.weight}; the lease's router goes into table ${u.table} (dhclient hooks), the rule and the balance follow the lease (keepalive)`,
    options: linkOptions(u.mtu, u.mac),
    commands: c,
  };
}

/**
 * A PPPoE uplink: the Ethernet comes up without an address, then ifupdown's `inet ppp` runs
 * `pon mpgen-NAME-U`. pppd's ip-up hook routes the session in the uplink's table, the keepalive
 * keeps the rule from the session's address and the balance; the stanza adds what is fixed.
 */
function pppoeStanzas(state: KernelState, u: Uplink, helper: string, secrets: string): EniStanza[] {
  const session = state.sessions.find((p) => p.uplink === u.name);
  if (!session) throw new Error(`internal error: no PPP session for uplink ${u.name}`);
  const ether: EniStanza = {
    iface: u.interface,
    method: 'manual',
    comment: `uplink ${u.name}: the Ethernet of its PPPoE session (no address of its own)`,
    options: linkOptions(undefined, u.mac),
    commands: [
      { phase: 'pre-up', cmd: `ip link set dev ${u.interface} up` },
      { phase: 'post-down', cmd: `ip link set dev ${u.interface} down` },
    ],
  };
  const c: EniCommand[] = [{ phase: 'pre-up', cmd: `${secrets} ensure` }];
  const prohibit = routesOf(state, u.name, 'prohibit');
  upDown(c, { up: prohibit, down: prohibit }, markRules(state, u.name), helper, u.device);
  const ppp: EniStanza = {
    iface: u.device,
    method: 'ppp',
    comment: `uplink ${u.name}: PPPoE over ${u.interface}, table ${u.table}, weight ${u.weight}; pppd (${session.peer}) dials forever, the session's routes go into table ${u.table} (ip-up hook), the rule and the balance follow the session (keepalive)`,
    options: [
      { key: 'provider', value: session.peer },
      { key: 'unit', value: String(session.unit) },
    ],
    commands: c,
  };
  return [ether, ppp];
}

function uplinkStanza(model: Model, state: KernelState, u: Uplink, helper: string): EniStanza {
  if (u.addressing === 'dhcp') return dhcpStanza(state, u, helper);
  const c: EniCommand[] = [];
  const add = (phase: EniPhase, line: string) => c.push({ phase, cmd: line });
  const bond = model.bond;
  const address = addressOf(state, u.name);
  const qdisc = state.qdiscs.find((q) => q.owner === u.name);
  const host = routesOf(state, u.name, 'gateway-host');
  const table = routesOf(state, u.name, 'uplink');
  const prohibit = routesOf(state, u.name, 'prohibit');
  const rules = [uplinkRule(state, u.name), ...markRules(state, u.name)];

  if (qdisc) add('pre-up', cmd.TEQL_MODULE);
  if (address.noPrefixRoute) add('pre-up', cmd.addressNoPrefixRoute(address));

  if (qdisc) add('post-up', cmd.qdiscAttach(qdisc));
  upDown(c, { up: [...host, ...table, ...prohibit], down: [...prohibit, ...table, ...host] }, rules, helper, u.interface);
  if (qdisc) add('pre-down', cmd.qdiscDetach(qdisc));

  if (address.noPrefixRoute) add('post-down', cmd.addressDel(address));

  const role = bond ? `teql slave of ${bond.interface}` : `table ${u.table}, weight ${u.weight}`;
  const cidr = cidrText(address.local);
  const options = address.noPrefixRoute ? [] : [{ key: 'address', value: cidr }];
  return {
    iface: u.interface,
    method: address.noPrefixRoute ? 'manual' : 'static',
    comment: `uplink ${u.name}: ${role}${address.noPrefixRoute ? `; ${cidr} noprefixroute (its subnet is balanced)` : ''}`,
    options: [...options, ...linkOptions(u.mtu, u.mac)],
    commands: c,
  };
}

function bondStanza(model: Model, state: KernelState): EniStanza | undefined {
  const b = model.bond;
  if (!b) return undefined;
  const c: EniCommand[] = [{ phase: 'pre-up', cmd: cmd.TEQL_MODULE }];
  const routes = routesByRole(state, 'bond');
  for (const r of routes) c.push({ phase: 'post-up', cmd: cmd.routeAdd(r) });
  for (const r of routes) c.push({ phase: 'pre-down', cmd: cmd.routeDel(r) });
  return {
    iface: b.interface,
    method: 'static',
    // teql refuses to open a master without slaves (EUNATCH): this stanza comes after the uplinks.
    comment: `teql bond over ${model.uplinks.map((u) => u.interface).join(', ')} (after its slaves: a teql master without slaves cannot come up)`,
    options: [{ key: 'address', value: cidrText(addressOf(state, 'bond').local) }, ...linkOptions(b.mtu, undefined)],
    commands: c,
  };
}

export function interfacesView(ctx: RenderContext): EniInterfacesView {
  const { model, state } = ctx;
  const helper = helperPath(ctx);
  const stanzas: EniStanza[] = [];
  if (model.lan) {
    stanzas.push({
      iface: model.lan.interface,
      method: 'static',
      comment: 'LAN',
      options: [{ key: 'address', value: cidrText(addressOf(state, 'lan').local) }],
      commands: [],
    });
  }
  const secrets = secretsHelperPath(ctx);
  for (const u of model.uplinks) {
    if (u.addressing === 'pppoe') stanzas.push(...pppoeStanzas(state, u, helper, secrets));
    else stanzas.push(uplinkStanza(model, state, u, helper));
  }
  const bond = bondStanza(model, state);
  if (bond) stanzas.push(bond);
  return { marker: marker(model), name: model.name, mode: model.mode, helper, stanzas };
}

export function helperView(ctx: RenderContext): EniHelperView {
  const { model, state } = ctx;
  const rules = sharedRules(state).map(cmd.ruleWords);
  const mp = routesByRole(state, 'multipath');
  const multipath = mp.length > 0;
  return {
    marker: marker(model),
    name: model.name,
    path: helperPath(ctx),
    interfacesFile: interfacesPath(state),
    multipath,
    equalize: mp.some((r) => r.equalize),
    dynamic: state.uplinks.some((u) => u.addressing !== 'static'),
    // unused without a multipath route (no destinations), but the strict template wants the key
    table: mp[0]?.table ?? 0,
    uplinks: state.uplinks.map((u) => {
      // a dynamic uplink's nexthop is the keepalive's to add: its gateway is known at run time
      if (u.addressing !== 'static') return { interface: u.device, address: '', nexthop: '' };
      const n = mp[0]?.nexthops.find((x) => x.uplink === u.name);
      return { interface: u.interface, address: `${literal(addressOf(state, u.name).local.addr)}/32`, nexthop: n ? cmd.nexthopArgs(n) : '' };
    }),
    destinations: multipath ? destinations(state) : [],
    rules,
    rulesReversed: [...rules].reverse(),
  };
}

function notes(model: Model, ctx: RenderContext): string[] {
  const out = [
    `debian (eni): ${interfacesPath(ctx.state)} is read by ifupdown through "source /etc/network/interfaces.d/*" in the stock /etc/network/interfaces (Debian 12 and 13 server installs use ifupdown by default; desktops run NetworkManager, which leaves interfaces listed there alone).`,
    `debian (eni): ${helperPath(ctx)} keeps the shared rules${model.mode === 'teql' ? '' : ' and the multipath route'} in step with the uplinks that are up; it is called from every uplink's post-up and pre-down.`,
  ];
  if (ctx.state.addresses.some((a) => a.noPrefixRoute)) {
    out.push('debian (eni): uplinks whose subnet is balanced use "inet manual" and add their address with noprefixroute themselves (ifupdown\'s inet static has no such option).');
  }
  if (model.mode === 'equalize') {
    out.push(
      'debian (eni): the helper asks for "equalize" and falls back to the plain route when ip(8) rejects the keyword (iproute2 6.1 in Debian 12 no longer parses it); kernels since 3.6 ignore the flag either way, so the route is per-flow multipath.',
    );
  }
  return out;
}

/** dhclient's enter and exit hooks for the DHCP uplinks (none without one). */
function dhclientHooks(ctx: RenderContext): PlannedFile[] {
  const dhcp = ctx.state.uplinks.filter((u) => u.addressing === 'dhcp');
  if (dhcp.length === 0) return [];
  const names = ctx.state.names.files;
  const view = { marker: marker(ctx.model), name: ctx.model.name, exitHook: names.dhclientExit, uplinks: dhcp.map((u) => ({ interface: u.interface, table: u.table })) };
  return [planFile(names.dhclientEnter, renderTemplate('eni/dhclient-enter', view)), planFile(names.dhclientExit, renderTemplate('eni/dhclient-exit', view))];
}

export const eni: Backend = (ctx: RenderContext): Contribution => {
  const { model } = ctx;
  const dhclient = dhclientHooks(ctx);
  const ppp = pppFiles(ctx);
  const files = [
    planFile(interfacesPath(ctx.state), renderTemplate('eni/interfaces', interfacesView(ctx))),
    planFile(helperPath(ctx), renderTemplate('eni/shared-helper', helperView(ctx)), FILE_MODE.executable),
    ...dhclient,
    ...ppp.files,
  ];
  const deb = ['ifupdown', 'iproute2', ...(ppp.depends?.deb ?? [])];
  if (dhclient.length > 0) deb.push('isc-dhcp-client');
  if (model.mode === 'teql') deb.push('kmod');
  return { files, depends: { deb }, notes: [...notes(model, ctx), ...(ppp.notes ?? [])], onRemove: ppp.onRemove };
};

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
import { FILE_MODE, planFile } from '../plan/plan.js';
import { renderTemplate } from '../plan/templates.js';
import { marker, type Backend, type Contribution, type RenderContext } from './backend.js';
import * as cmd from './eni-commands.js';

export type EniPhase = 'pre-up' | 'post-up' | 'pre-down' | 'post-down';

export interface EniCommand {
  phase: EniPhase;
  cmd: string;
}

export interface EniStanza {
  iface: string;
  /** `static` normally; `manual` when the address must carry noprefixroute (see eni-commands.ts) */
  method: 'static' | 'manual';
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
  table: number;
  uplinks: { interface: string; address: string; nexthop: string }[];
  destinations: string[];
  /** shared rules, in install order */
  rules: string[];
  /** the same rules, in removal order */
  rulesReversed: string[];
}

export const interfacesPath = (m: Model): string => `/etc/network/interfaces.d/mpgen-${m.name}`;

/** Where the shared-state helper lives: the distro's libexec directory (default /usr/libexec/mpgen). */
export function helperPath(ctx: RenderContext): string {
  const dir = ctx.distro.paths?.libexec || '/usr/libexec/mpgen';
  return `${dir.replace(/\/+$/, '')}/${ctx.model.name}-eni-shared`;
}

function linkOptions(mtu: number | undefined, mac: string | undefined): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  if (mac) out.push({ key: 'hwaddress', value: `ether ${mac}` });
  if (mtu !== undefined) out.push({ key: 'mtu', value: String(mtu) });
  return out;
}

function uplinkStanza(model: Model, u: Uplink, helper: string): EniStanza {
  const c: EniCommand[] = [];
  const add = (phase: EniPhase, line: string) => c.push({ phase, cmd: line });
  const bond = model.bond;
  const gw = u.onlink ? u.gateway : undefined;

  if (bond) add('pre-up', cmd.TEQL_MODULE);
  if (u.noPrefixRoute) add('pre-up', cmd.addressNoPrefixRoute(u));

  if (bond) add('post-up', cmd.teqlAttach(u, bond));
  if (gw) add('post-up', cmd.hostRouteAdd(u, gw));
  for (const d of model.routes) add('post-up', cmd.uplinkRouteAdd(u, d));
  if (model.routing.prohibitFallback) for (const d of model.routes) add('post-up', cmd.prohibitAdd(u, d));
  add('post-up', cmd.uplinkRuleDelete(u));
  add('post-up', cmd.uplinkRuleAdd(u));
  add('post-up', `${helper} up ${u.interface}`);

  add('pre-down', `${helper} down ${u.interface}`);
  add('pre-down', cmd.uplinkRuleDelete(u));
  if (model.routing.prohibitFallback) for (const d of model.routes) add('pre-down', cmd.prohibitDel(u, d));
  for (const d of model.routes) add('pre-down', cmd.uplinkRouteDel(u, d));
  if (gw) add('pre-down', cmd.hostRouteDel(u, gw));
  if (bond) add('pre-down', cmd.teqlDetach(u));

  if (u.noPrefixRoute) add('post-down', cmd.addressDel(u));

  const role = bond ? `teql slave of ${bond.interface}` : `table ${u.table}, weight ${u.weight}`;
  const options = u.noPrefixRoute ? [] : [{ key: 'address', value: u.address.cidr }];
  return {
    iface: u.interface,
    method: u.noPrefixRoute ? 'manual' : 'static',
    comment: `uplink ${u.name}: ${role}${u.noPrefixRoute ? `; ${u.address.cidr} noprefixroute (its subnet is balanced)` : ''}`,
    options: [...options, ...linkOptions(u.mtu, u.mac)],
    commands: c,
  };
}

function bondStanza(model: Model): EniStanza | undefined {
  const b = model.bond;
  if (!b) return undefined;
  const c: EniCommand[] = [{ phase: 'pre-up', cmd: cmd.TEQL_MODULE }];
  for (const d of model.routes) c.push({ phase: 'post-up', cmd: cmd.bondRouteAdd(b, d) });
  for (const d of model.routes) c.push({ phase: 'pre-down', cmd: cmd.bondRouteDel(b, d) });
  return {
    iface: b.interface,
    method: 'static',
    // teql refuses to open a master without slaves (EUNATCH): this stanza comes after the uplinks.
    comment: `teql bond over ${model.uplinks.map((u) => u.interface).join(', ')} (after its slaves: a teql master without slaves cannot come up)`,
    options: [{ key: 'address', value: b.address.cidr }, ...linkOptions(b.mtu, undefined)],
    commands: c,
  };
}

export function interfacesView(ctx: RenderContext): EniInterfacesView {
  const { model } = ctx;
  const helper = helperPath(ctx);
  const stanzas: EniStanza[] = [];
  if (model.lan) {
    stanzas.push({
      iface: model.lan.interface,
      method: 'static',
      comment: 'LAN',
      options: [{ key: 'address', value: model.lan.address.cidr }],
      commands: [],
    });
  }
  for (const u of model.uplinks) stanzas.push(uplinkStanza(model, u, helper));
  const bond = bondStanza(model);
  if (bond) stanzas.push(bond);
  return { marker: marker(model), name: model.name, mode: model.mode, helper, stanzas };
}

export function helperView(ctx: RenderContext): EniHelperView {
  const { model } = ctx;
  const rules = cmd.sharedRules(model);
  const multipath = model.mode !== 'teql';
  return {
    marker: marker(model),
    name: model.name,
    path: helperPath(ctx),
    interfacesFile: interfacesPath(model),
    multipath,
    equalize: model.mode === 'equalize',
    table: model.routing.multipathTable,
    uplinks: model.uplinks.map((u) => ({ interface: u.interface, address: `${u.address.address}/32`, nexthop: cmd.nexthopArgs(u) })),
    destinations: multipath ? model.routes : [],
    rules,
    rulesReversed: [...rules].reverse(),
  };
}

function notes(model: Model, ctx: RenderContext): string[] {
  const out = [
    `debian (eni): ${interfacesPath(model)} is read by ifupdown through "source /etc/network/interfaces.d/*" in the stock /etc/network/interfaces (Debian 12 and 13 server installs use ifupdown by default; desktops run NetworkManager, which leaves interfaces listed there alone).`,
    `debian (eni): ${helperPath(ctx)} keeps the shared rules${model.mode === 'teql' ? '' : ' and the multipath route'} in step with the uplinks that are up; it is called from every uplink's post-up and pre-down.`,
  ];
  if (model.uplinks.some((u) => u.noPrefixRoute)) {
    out.push('debian (eni): uplinks whose subnet is balanced use "inet manual" and add their address with noprefixroute themselves (ifupdown\'s inet static has no such option).');
  }
  if (model.mode === 'equalize') {
    out.push(
      'debian (eni): the helper asks for "equalize" and falls back to the plain route when ip(8) rejects the keyword (iproute2 6.1 in Debian 12 no longer parses it); kernels since 3.6 ignore the flag either way, so the route is per-flow multipath.',
    );
  }
  return out;
}

export const eni: Backend = (ctx: RenderContext): Contribution => {
  const { model } = ctx;
  const files = [
    planFile(interfacesPath(model), renderTemplate('eni/interfaces', interfacesView(ctx))),
    planFile(helperPath(ctx), renderTemplate('eni/shared-helper', helperView(ctx)), FILE_MODE.executable),
  ];
  const deb = ['ifupdown', 'iproute2'];
  if (model.mode === 'teql') deb.push('kmod');
  return { files, depends: { deb }, notes: notes(model, ctx) };
};

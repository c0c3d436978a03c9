/**
 * Rendering of systemd-networkd files (.network, .network.d drop-ins, .link,
 * the hook unit) from typed views. Both the networkd and the netplan backend
 * render through here; the views are complete objects (every key present)
 * because the Handlebars environment is strict.
 */
import { renderTemplate } from '../base/templates.js';
import type { Command, NdAddress, NdRoute, NdRule } from './networkd-routing.js';

export interface KeyValue {
  key: string;
  value: string;
}

export interface NetworkFile {
  marker: string;
  /** why-comments under the marker */
  comments: string[];
  match?: { name: string; macAddress?: string };
  link: KeyValue[];
  network: KeyValue[];
  addresses: NdAddress[];
  routes: NdRoute[];
  rules: NdRule[];
  teqlId?: number;
  /** further sections ([DHCPv4]), after [Network] */
  sections?: { name: string; keys: KeyValue[] }[];
}

interface RouteView {
  destination: string;
  table: number | undefined;
  gateway: string | undefined;
  onLink: boolean;
  preferredSource: string | undefined;
  scope: string | undefined;
  type: string | undefined;
  metric: number | undefined;
  multipath: string[];
}

interface RuleView {
  from: string | undefined;
  firewallMark: string | undefined;
  table: string;
  priority: number;
  suppressPrefixLength: number | undefined;
}

const routeView = (r: NdRoute): RouteView => ({
  destination: r.destination,
  table: r.table,
  gateway: r.gateway,
  onLink: r.onLink,
  preferredSource: r.preferredSource,
  scope: r.scope,
  type: r.type,
  metric: r.metric,
  multipath: r.multipath,
});

const ruleView = (r: NdRule): RuleView => ({
  from: r.from,
  firewallMark: r.firewallMark,
  table: r.table,
  priority: r.priority,
  suppressPrefixLength: r.suppressPrefixLength,
});

/** A .network file or a .network.d drop-in (a drop-in simply has no [Match]). */
export function renderNetwork(f: NetworkFile): string {
  return renderTemplate('networkd/network', {
    marker: f.marker,
    comments: f.comments,
    match: f.match ? { name: f.match.name, macAddress: f.match.macAddress } : undefined,
    link: f.link,
    network: f.network,
    sections: f.sections ?? [],
    addresses: f.addresses.map((a) => ({ cidr: a.cidr, noPrefixRoute: a.noPrefixRoute })),
    routes: f.routes.map(routeView),
    rules: f.rules.map(ruleView),
    teqlId: f.teqlId,
  });
}

export function renderLink(marker: string, name: string, macAddress: string): string {
  return renderTemplate('networkd/link', { marker, name, macAddress });
}

export interface HookUnit {
  marker: string;
  name: string;
  what: string;
  why: string;
  start: Command[];
  stop: Command[];
}

/** mpgen-routes-NAME.service: what networkd cannot say, as ip(8)/tc(8) commands. */
export function renderHookUnit(h: HookUnit): string {
  return renderTemplate('networkd/hook.service', { ...h });
}

/**
 * Reads systemd-networkd files (and the hook unit's ip(8) commands) back into
 * the kernel objects they describe, as comparable strings. The tests compare
 * this with what docs/kernel-state.md derives from the model: for mpgen's own
 * .network files, and for the .network files `netplan generate` writes merged
 * with mpgen's drop-ins (the L2 consumer check of the netplan backend).
 *
 * expectedObjects() derives the same objects from the model straight from
 * docs/kernel-state.md, without the backend's own routing code, so the
 * comparison is not the backend checking itself.
 */
import type { Model } from '../../../src/model/model.js';
import { keyTableFor } from './networkd-keys.js';

export interface IniEntry {
  section: string;
  key: string;
  value: string;
  line: number;
}

/** Sections in order; each holds its entries. systemd's syntax: `#`/`;` comments, `[Section]`, `Key=Value`. */
export function parseIni(text: string): Array<{ name: string; entries: IniEntry[] }> {
  const out: Array<{ name: string; entries: IniEntry[] }> = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const sec = /^\[([A-Za-z0-9]+)\]$/.exec(line);
    if (sec) {
      out.push({ name: sec[1]!, entries: [] });
      return;
    }
    const kv = /^([A-Za-z0-9]+)=(.*)$/.exec(line);
    const cur = out[out.length - 1];
    if (!kv || !cur) throw new Error(`line ${i + 1}: not a section or Key=Value: ${raw}`);
    cur.entries.push({ section: cur.name, key: kv[1]!, value: kv[2]!, line: i + 1 });
  });
  return out;
}

const get = (entries: IniEntry[], key: string): string | undefined => entries.filter((e) => e.key === key).at(-1)?.value;
const all = (entries: IniEntry[], key: string): string[] => entries.filter((e) => e.key === key).map((e) => e.value);
const yes = (v: string | undefined): boolean => v !== undefined && ['yes', 'true', '1', 'on'].includes(v);
const tableOf = (v: string | undefined): string => (v === undefined || v === 'main' ? 'main' : v);

/**
 * One link's configuration: a .network file and its drop-ins, in order (a
 * drop-in's sections add to the main file's, as networkd merges them).
 */
export function kernelObjectsOfNetwork(texts: string[]): string[] {
  const sections = texts.flatMap(parseIni);
  const objs: string[] = [];
  const match = sections.filter((s) => s.name === 'Match').flatMap((s) => s.entries);
  const dev = get(match, 'Name');
  if (dev === undefined) throw new Error('a .network without [Match] Name=');
  for (const s of sections) {
    const e = s.entries;
    switch (s.name) {
      case 'Link': {
        const mtu = get(e, 'MTUBytes');
        if (mtu !== undefined) objs.push(`mtu ${dev} ${mtu}`);
        break;
      }
      case 'Network':
        for (const a of all(e, 'Address')) objs.push(`addr ${dev} ${a}`);
        if (yes(get(e, 'ConfigureWithoutCarrier'))) objs.push(`without-carrier ${dev}`);
        break;
      case 'Address': {
        const a = get(e, 'Address');
        objs.push(`addr ${dev} ${a}${get(e, 'AddPrefixRoute') === 'no' ? ' noprefixroute' : ''}`);
        break;
      }
      case 'Route': {
        const table = tableOf(get(e, 'Table'));
        const dest = get(e, 'Destination') ?? '0.0.0.0/0';
        const mp = all(e, 'MultiPathRoute');
        const onlink = yes(get(e, 'GatewayOnLink') ?? get(e, 'GatewayOnlink'));
        if (mp.length) {
          const nhs = mp.map((m) => {
            const [gwdev, w] = m.split(/\s+/);
            const [gw, d] = gwdev!.split('@');
            return `via ${gw} dev ${d} weight ${w ?? '1'}${onlink ? ' onlink' : ''}`;
          });
          objs.push(`multipath table ${table} ${dest} ${nhs.join(' / ')}`);
        } else if (get(e, 'Type') === 'prohibit') {
          objs.push(`prohibit table ${table} ${dest} metric ${get(e, 'Metric') ?? '0'}`);
        } else {
          const gw = get(e, 'Gateway');
          const src = get(e, 'PreferredSource');
          const parts = [`route table ${table} ${dest}`];
          if (gw) parts.push(`via ${gw}`);
          parts.push(`dev ${dev}`);
          if (src) parts.push(`src ${src}`);
          if (!gw) parts.push('scope link');
          if (onlink) parts.push('onlink');
          objs.push(parts.join(' '));
        }
        break;
      }
      case 'RoutingPolicyRule': {
        const mark = get(e, 'FirewallMark');
        const parts = [`rule ${get(e, 'Priority')} from ${get(e, 'From') ?? 'all'}${mark ? ` fwmark ${mark}` : ''} table ${tableOf(get(e, 'Table'))}`];
        const sp = get(e, 'SuppressPrefixLength');
        if (sp !== undefined) parts.push(`suppress ${sp}`);
        objs.push(parts.join(' '));
        break;
      }
      case 'TrivialLinkEqualizer':
        objs.push(`teql ${dev} teql${get(e, 'Id') ?? '0'}`);
        break;
      default:
        break;
    }
  }
  return objs;
}

/** `ip route replace D table T proto static [equalize] nexthop [via GW] dev IF weight W [onlink] ...` from the hook unit. */
export function kernelObjectsOfHook(unitText: string): string[] {
  const objs: string[] = [];
  for (const line of unitText.split('\n')) {
    const m = /^ExecStart=ip route replace (\S+) table (\d+) proto static (?:equalize )?(nexthop .*)$/.exec(line);
    if (m) {
      const nhs = m[3]!
        .split(/\s*nexthop\s+/)
        .filter(Boolean)
        .map((n) => n.trim());
      objs.push(`multipath table ${m[2]} ${m[1]} ${nhs.join(' / ')}`);
      continue;
    }
    const t = /^ExecStart=tc qdisc replace dev (\S+) root (teql\d+)$/.exec(line);
    if (t) objs.push(`teql ${t[1]} ${t[2]}`);
  }
  return objs;
}

const dest = (d: string): string => (d === 'default' ? '0.0.0.0/0' : d);

/** docs/kernel-state.md, as the objects kernelObjectsOf* produce. */
export function expectedObjects(m: Model): string[] {
  const o: string[] = [];
  const rt = m.routing;
  // kernel-state.md, "Steering": a mark per uplink when connections are pinned or steered
  const marked = m.mode !== 'teql' && m.firewall !== 'none' && (rt.pinFlows || m.policies.length > 0);
  for (const u of m.uplinks) {
    o.push(`addr ${u.interface} ${u.address!.cidr}${u.noPrefixRoute ? ' noprefixroute' : ''}`);
    o.push(`without-carrier ${u.interface}`);
    if (u.mtu !== undefined) o.push(`mtu ${u.interface} ${u.mtu}`);
    o.push(`rule ${u.rulePriority} from ${u.ruleFrom!} table ${u.table}`);
    if (marked) o.push(`rule ${u.rulePriority} from all fwmark 0x${((u.index + 1) << 8).toString(16)}/0x3f00 table ${u.table}`);
    for (const d of m.routes) {
      const via = u.gateway ? `via ${u.gateway} ` : '';
      o.push(`route table ${u.table} ${dest(d)} ${via}dev ${u.interface} src ${u.address!.address}${u.gateway ? '' : ' scope link'}${u.onlink && u.gateway ? ' onlink' : ''}`);
      if (rt.prohibitFallback) o.push(`prohibit table ${u.table} ${dest(d)} metric 1`);
    }
    if (u.onlink && u.gateway) o.push(`route table main ${u.gateway}/32 dev ${u.interface} scope link`);
    if (m.bond) o.push(`teql ${u.interface} ${m.bond.interface}`);
  }
  o.push(`rule ${rt.mainRulePriority} from all table main suppress 0`);
  if (m.lan) o.push(`addr ${m.lan.interface} ${m.lan.address.cidr}`);
  if (m.bond) {
    o.push(`addr ${m.bond.interface} ${m.bond.address.cidr}`, `without-carrier ${m.bond.interface}`);
    if (m.bond.mtu !== undefined) o.push(`mtu ${m.bond.interface} ${m.bond.mtu}`);
    for (const d of m.routes) o.push(`route table main ${dest(d)} via ${m.bond.gateway} dev ${m.bond.interface} onlink`);
  } else {
    o.push(`rule ${rt.multipathRulePriority} from all table ${rt.multipathTable}`);
    for (const d of m.routes) {
      // the balance at boot: tier 1 only
      const nhs = m.uplinks.filter((u) => u.tier === 1).map((u) => `${u.gateway ? `via ${u.gateway} ` : ''}dev ${u.interface} weight ${u.weight}${u.onlink && u.gateway ? ' onlink' : ''}`);
      o.push(`multipath table ${rt.multipathTable} ${dest(d)} ${nhs.join(' / ')}`);
    }
  }
  return o.sort();
}

/** Every .network with its drop-ins, plus the hook unit, as kernel objects. */
export function objectsOfFiles(files: Array<{ path: string; content: string }>): string[] {
  const networks = files.filter((f) => f.path.endsWith('.network'));
  const dropins = files.filter((f) => /\.network\.d\/[^/]+\.conf$/.test(f.path));
  const o: string[] = [];
  for (const n of networks) {
    const base = n.path.slice(n.path.lastIndexOf('/') + 1);
    const mine = dropins.filter((d) => d.path.split('/').at(-2) === `${base}.d`).sort((a, b) => (a.path < b.path ? -1 : 1));
    o.push(...kernelObjectsOfNetwork([n.content, ...mine.map((d) => d.content)]));
  }
  for (const d of dropins) {
    const owner = d.path.split('/').at(-2)!.replace(/\.d$/, '');
    if (!networks.some((n) => n.path.endsWith(`/${owner}`))) throw new Error(`drop-in ${d.path} has no ${owner} to extend`);
  }
  for (const u of files.filter((f) => f.path.endsWith('.service'))) o.push(...kernelObjectsOfHook(u.content));
  return o.sort();
}

/** Every [Section] and Key of every networkd file is known to the distro's systemd. */
export function whitelistViolations(files: Array<{ path: string; content: string }>, systemd: number): string[] {
  const bad: string[] = [];
  for (const f of files) {
    const table = keyTableFor(f.path);
    if (!table) continue;
    for (const s of parseIni(f.content)) {
      const keys = table[s.name];
      if (!keys) {
        bad.push(`${f.path}: unknown section [${s.name}]`);
        continue;
      }
      for (const e of s.entries) {
        const since = keys[e.key];
        if (since === undefined) bad.push(`${f.path}:${e.line}: unknown key ${s.name}.${e.key}`);
        else if (since > systemd) bad.push(`${f.path}:${e.line}: ${s.name}.${e.key} needs systemd ${since}, distro has ${systemd}`);
      }
    }
  }
  return bad;
}


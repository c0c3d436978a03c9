/**
 * Turns the rendered systemd-networkd .network files into the ip(8) commands
 * networkd itself would issue over netlink for them ([Address], [Route],
 * [RoutingPolicyRule]), so the L3 lab can feed a second backend's multipath
 * output to the same kernel. Every key of those sections must be known here:
 * an unknown one throws instead of being dropped.
 */
import type { PlannedFile } from '../../src/plan/plan.js';

type Section = { name: string; keys: [string, string][] };

function sections(text: string): Section[] {
  const out: Section[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^\[(\w+)\]$/.exec(line);
    if (m) out.push({ name: m[1]!, keys: [] });
    else {
      const eq = line.indexOf('=');
      if (eq < 0 || out.length === 0) throw new Error(`not a key=value line: ${line}`);
      out[out.length - 1]!.keys.push([line.slice(0, eq), line.slice(eq + 1)]);
    }
  }
  return out;
}

/** [Match], [Link] and [Network] keys that do not become addresses, routes or rules. */
const IGNORED: Record<string, string[]> = {
  Match: ['Name'],
  Link: ['RequiredForOnline'],
  Network: ['ConfigureWithoutCarrier', 'IPv4ReversePathFilter', 'KeepConfiguration'],
};

export interface NetworkdCommands {
  iface: string;
  addresses: string[][];
  routes: string[][];
  rules: string[][];
}

function unknown(section: string, key: string): never {
  throw new Error(`[${section}] ${key}= is not translated by the L3 lab`);
}

export function networkdCommands(file: PlannedFile): NetworkdCommands {
  const res: NetworkdCommands = { iface: '', addresses: [], routes: [], rules: [] };
  for (const s of sections(file.content)) {
    const get = (k: string) => s.keys.filter(([x]) => x === k).map(([, v]) => v);
    if (s.name === 'Match') res.iface = get('Name')[0] ?? '';
    if (IGNORED[s.name]) {
      for (const [k] of s.keys) if (!IGNORED[s.name]!.includes(k)) unknown(s.name, k);
      continue;
    }
    if (s.name === 'Address') {
      const args = ['addr', 'add', get('Address')[0] ?? '', 'dev', res.iface];
      for (const [k, v] of s.keys) {
        if (k === 'AddPrefixRoute') {
          if (v === 'no') args.push('noprefixroute');
        } else if (k !== 'Address') unknown(s.name, k);
      }
      res.addresses.push(args);
    } else if (s.name === 'Route') {
      let type = '';
      let dst = 'default';
      const tail: string[] = [];
      const hops: string[] = [];
      let onlink = false;
      let gateway: string | undefined;
      for (const [k, v] of s.keys) {
        if (k === 'Destination') dst = v === '0.0.0.0/0' ? 'default' : v.replace(/\/32$/, '');
        else if (k === 'Type') type = v;
        else if (k === 'Table') tail.push('table', v);
        else if (k === 'Gateway') gateway = v;
        else if (k === 'GatewayOnLink') onlink = v === 'yes';
        else if (k === 'PreferredSource') tail.push('src', v);
        else if (k === 'Scope') tail.push('scope', v);
        else if (k === 'Protocol') tail.push('proto', v);
        else if (k === 'Metric') tail.push('metric', v);
        else if (k === 'MultiPathRoute') {
          const m = /^([\d.]+)@(\S+)\s+(\d+)$/.exec(v);
          if (!m) throw new Error(`MultiPathRoute=${v}`);
          hops.push(`nexthop via ${m[1]} dev ${m[2]} weight ${m[3]}${onlink ? ' onlink' : ''}`);
        } else unknown(s.name, k);
      }
      const args = ['route', 'add', ...(type ? [type] : []), dst, ...tail];
      if (hops.length) args.push(...hops.join(' ').split(' '));
      else if (type === '') {
        if (gateway) args.push('via', gateway);
        args.push('dev', res.iface);
        if (onlink && gateway) args.push('onlink');
      }
      res.routes.push(args);
    } else if (s.name === 'RoutingPolicyRule') {
      const args = ['rule', 'add'];
      for (const [k, v] of s.keys) {
        if (k === 'From') args.push('from', v);
        else if (k === 'Table') args.push('lookup', v);
        else if (k === 'Priority') args.push('priority', v);
        else if (k === 'SuppressPrefixLength') args.push('suppress_prefixlength', v);
        else if (k === 'FirewallMark') args.push('fwmark', v);
        else unknown(s.name, k);
      }
      res.rules.push(args);
    } else unknown(s.name, '*');
  }
  if (!res.iface) throw new Error(`${file.path}: no [Match] Name=`);
  return res;
}

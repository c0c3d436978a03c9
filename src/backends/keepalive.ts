/**
 * The keepalive contribution to every plan: the POSIX sh daemon, its
 * KEY=VALUE configuration translated from the kernel state (src/state), and the
 * hardened unit of the profile. The daemon never sources the configuration: it parses it
 * with a whitelist of keys and a pattern per value (src/keepalive/sh/10-config.sh).
 * From the model it reads only its own settings (method, timing) and the marker.
 */
import { keepaliveScript } from '../keepalive/script.js';
import type { Model } from '../model/model.js';
import { DEFAULTS } from '../profile/defaults.js';
import { IFNAME_RE } from '../profile/schema.js';
import { FILE_MODE, planFile, type PlannedFile } from '../base/planned-file.js';
import { renderTemplate } from '../base/templates.js';
import { addressOf, destinations, routesByRole, routesOf, uplinkRule } from '../state/query.js';
import type { KernelState, Route, UplinkState } from '../state/state.js';
import { literal, type Addr } from '../state/value.js';
import { marker, type Backend, type Contribution } from './backend.js';

/** The defaults live with the other profile defaults (src/profile/defaults.ts), with their reasons. */
export const KEEPALIVE_DEFAULTS = DEFAULTS.keepalive;

/** Worst-case detection of a silent blackhole, in ms: interval * (down + ceil(timeout / interval)). */
export function worstCaseDetectionMs(k: { intervalMs: number; timeoutMs: number; down: number }): number {
  return k.intervalMs * (k.down + Math.ceil(k.timeoutMs / k.intervalMs));
}

/** Worst-case recovery after the path heals, in ms (plus one RTT): interval * up. */
export function worstCaseRecoveryMs(k: { intervalMs: number; up: number }): number {
  return k.intervalMs * k.up;
}

/**
 * Far targets (keepalive.targets) are probed at half the rate of the gateway, with down and up
 * halved (rounded up), and a far probe is lost when not answered within its own interval (or the
 * timeout, when shorter; anycast resolvers answer in tens of ms): with the defaults the worst
 * case is 0.5 * (4 + 1) = 2.5 s, below the gateway's 2.75 s, at half the packets.
 */
export function farTiming(k: { intervalMs: number; timeoutMs: number; down: number; up: number }): { intervalMs: number; timeoutMs: number; down: number; up: number } {
  const intervalMs = k.intervalMs * 2;
  return { intervalMs, timeoutMs: Math.min(k.timeoutMs, intervalMs), down: Math.ceil(k.down / 2), up: Math.ceil(k.up / 2) };
}

/**
 * Where node_exporter's textfile collector reads *.prom files: Debian's prometheus-node-exporter
 * package, then the upstream and RPM convention. The daemon writes into the first that exists,
 * and nowhere when none does. One list for every distro: a per-distro order would only matter
 * with both present, and would make the renders of one backend differ between its distros.
 */
export const METRICS_DIRS: readonly string[] = ['/var/lib/prometheus/node-exporter', '/var/lib/node_exporter/textfile_collector'];

/** A line is up while at least this many of its n targets are: a strict majority. */
export function quorum(n: number): number {
  return Math.floor(n / 2) + 1;
}

const sameAddr = (a: Addr, b: Addr): boolean => a.kind === 'literal' && b.kind === 'literal' && a.address === b.address;

/** The uplink's SNAT/source address when its conntrack entries can be told apart from the others'. */
function conntrackAddress(s: KernelState, u: UplinkState): Addr | undefined {
  // a dynamic uplink's connections go by its marks, or by the address the daemon reads
  if (s.mode === 'teql' || u.addressing !== 'static') return undefined;
  const own = addressOf(s, u.name).local.addr;
  const shared = s.uplinks.some((o) => o.name !== u.name && o.addressing === 'static' && sameAddr(addressOf(s, o.name).local.addr, own));
  return shared ? undefined : own;
}

/** The route the keepalive probes through: the uplink's own table (every mode has one per destination). */
function probeRoute(s: KernelState, u: UplinkState): Route {
  const r = routesOf(s, u.name, 'uplink')[0];
  if (!r) throw new Error(`internal error: no route in the table of uplink ${u.name}`);
  return r;
}

const SAFE: Record<string, RegExp> = {
  ifname: IFNAME_RE,
  ipv4: /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/,
  name: /^[a-z][a-z0-9_-]{0,30}$/,
  path: /^\/[A-Za-z0-9_./-]{1,200}$/,
};

function check(kind: keyof typeof SAFE, value: string, what: string): string {
  if (!SAFE[kind]!.test(value)) throw new Error(`keepalive: ${what} "${value}" does not match the ${kind} pattern`);
  return value;
}

/**
 * An address for the configuration. Every address is a literal today, and literal() refuses the
 * others; a DHCP uplink's address and router are known only at run time, and the keepalive is the
 * program that will follow them: such a value gets its own form here, for the daemon to resolve.
 */
function ipv4(a: Addr, what: string): string {
  return check('ipv4', literal(a), what);
}

/** /etc/mpgen/<name>.conf: KEY=VALUE lines, uplinks numbered from 1 in profile order. */
export function keepaliveConfig(s: KernelState, m: Model): string {
  const k = m.keepalive;
  const far = farTiming(k);
  const markOf = new Map(s.marks.map((x) => [x.uplink, x.mark]));
  const numberOf = new Map(s.uplinks.map((u, i) => [u.name, i + 1]));
  const hex = (n: number): string => `0x${n.toString(16)}`;
  const lines: string[] = [
    marker(m),
    `# Read by /usr/libexec/mpgen/${s.names.files.keepaliveScript}, which accepts only the keys below`,
    '# (KEY=VALUE, no quotes, no spaces around "="). docs: keepalive.md',
    'VERSION=1',
    `NAME=${check('name', s.profile, 'profile name')}`,
    `MODE=${s.mode}`,
    `METHOD=${k.method}`,
    `INTERVAL_MS=${k.intervalMs}`,
    `TIMEOUT_MS=${k.timeoutMs}`,
    `DOWN=${k.down}`,
    `UP=${k.up}`,
    `FAR_INTERVAL_MS=${far.intervalMs}`,
    `FAR_DOWN=${far.down}`,
    `FAR_UP=${far.up}`,
    `MARK_MASK=${hex(s.steering.mask)}`,
    // the loader that swaps a policy's chain; none without a firewall (no marks, no policies)
    `FIREWALL=${m.firewall === 'none' ? '' : check('path', s.names.files.firewallHelper, 'firewall helper')}`,
    `METRICS_DIR=${METRICS_DIRS.map((d) => check('path', d, 'metrics directory')).join(' ')}`,
  ];
  if (s.mode === 'teql') {
    if (!s.bond) throw new Error('keepalive: teql mode without a bond');
    lines.push(`BOND=${check('ifname', s.bond.interface, 'bond interface')}`, `BOND_NET=${addressOf(s, 'bond').network}`);
  } else {
    const mp = routesByRole(s, 'multipath')[0];
    if (!mp) throw new Error('internal error: no multipath route');
    lines.push(`TABLE=${mp.table}`, `ROUTES=${destinations(s).join(' ')}`);
  }
  lines.push(`UPLINKS=${s.uplinks.length}`);
  s.uplinks.forEach((u, i) => {
    const p = `UPLINK_${i + 1}_`;
    const r = probeRoute(s, u);
    const probe = u.probe.map((t) => ipv4(t, `probe target of ${u.name}`));
    const farTargets = u.far.map((t) => ipv4(t, `far target of ${u.name}`));
    const mark = markOf.get(u.name);
    const conntrack = conntrackAddress(s, u);
    const dynamic = u.addressing !== 'static';
    // a dynamic uplink: address, subnet and gateway are read from the kernel at run time (38-lease.sh)
    const a = dynamic ? undefined : addressOf(s, u.name);
    lines.push(
      `${p}NAME=${check('name', u.name, 'uplink name')}`,
      `${p}DEV=${check('ifname', u.device, `interface of ${u.name}`)}`,
      `${p}SRC=${a ? ipv4(a.local.addr, `address of ${u.name}`) : ''}`,
      `${p}NET=${a ? a.network : ''}`,
      `${p}GW=${!dynamic && r.gateway ? ipv4(r.gateway, `gateway of ${u.name}`) : ''}`,
      `${p}ONLINK=${r.onlink ? 1 : 0}`,
      `${p}WEIGHT=${u.weight}`,
      `${p}TABLE=${u.table}`,
      ...(dynamic ? [`${p}DYN=${u.addressing}`, `${p}PRIO=${uplinkRule(s, u.name).priority}`, `${p}PROBEGW=${u.probeGateway ? 1 : 0}`] : []),
      `${p}PROBE=${probe.join(' ')}`,
      `${p}FAR=${farTargets.join(' ')}`,
      // a strict majority of all its targets, the gateway's and the far ones together
      `${p}QUORUM=${quorum(probe.length + (u.probeGateway ? 1 : 0) + farTargets.length)}`,
      `${p}TIER=${u.tier}`,
      `${p}MARK=${mark === undefined ? '' : hex(mark)}`,
      `${p}CONNTRACK=${conntrack ? ipv4(conntrack, `address of ${u.name}`) : ''}`,
    );
  });
  const policies = s.steering.policies;
  lines.push(`POLICIES=${policies.length}`);
  policies.forEach((pol, k) => {
    const p = `POLICY_${k + 1}_`;
    const ups = pol.uplinks.map((n) => {
      const i = numberOf.get(n);
      if (i === undefined) throw new Error(`internal error: policy ${pol.name} names the unknown uplink ${n}`);
      return i;
    });
    lines.push(`${p}NAME=${check('name', pol.name, 'policy name')}`, `${p}UPLINKS=${ups.join(' ')}`, `${p}FALLBACK=${pol.fallback}`);
  });
  return lines.join('\n') + '\n';
}

export const keepalive: Backend = (ctx): Contribution => {
  const { model: m, state: s } = ctx;
  if (!m.keepalive.enabled) return { files: [] };
  const libexec = ctx.distro.paths.libexec || '/usr/libexec/mpgen';
  const units = ctx.distro.paths.units || '/usr/lib/systemd/system';
  const script = `${libexec}/${s.names.files.keepaliveScript}`;
  const unit = s.names.units.keepalive;
  const files: PlannedFile[] = [
    planFile(script, keepaliveScript(marker(m)), FILE_MODE.executable),
    planFile(s.names.files.keepaliveConf, keepaliveConfig(s, m), FILE_MODE.regular),
    planFile(
      `${units}/${unit}`,
      renderTemplate('keepalive/unit', { marker: marker(m), name: s.profile, script, arping: m.keepalive.method === 'arping' }),
      FILE_MODE.regular,
    ),
  ];
  const deb = ['iproute2', 'iputils-ping'];
  const rpm = ['iproute', 'iputils'];
  if (m.keepalive.method === 'arping') {
    // Thomas Habets' arping: it prints "Timeout" per unanswered probe, which the
    // stream parser needs; iputils' arping prints nothing for a miss.
    deb.push('arping');
    rpm.push('arping');
  }
  const notes: string[] = [];
  // far targets monitor a direct link too; only an uplink with neither list is never taken out
  const unprobed = s.uplinks.filter((u) => u.probe.length === 0 && u.far.length === 0);
  if (unprobed.length > 0)
    notes.push(
      `keepalive: ${unprobed.map((u) => u.name).join(', ')} has no probe target (a direct link without gateway): it is never taken out; add probe: [...] to monitor it`,
    );
  // keepalive.targets: [] is warned about by the profile rules (rules-steering.ts), not again here
  const tiers = [...new Set(s.uplinks.map((u) => u.tier))].sort((a, b) => a - b);
  if (tiers.length > 1)
    notes.push(`keepalive: tiers ${tiers.join(', ')}: the balance is the live uplinks of the lowest tier with any live uplink; with none live, all of tier ${tiers[0]}`);
  return {
    files,
    enable: [unit],
    depends: { deb, rpm },
    notes,
  };
};

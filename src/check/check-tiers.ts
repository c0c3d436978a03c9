/**
 * Tiers and policies as the keepalive reports them: which uplinks are in the balance (the
 * multipath route's nexthops, the attached teql slaves), each uplink's tier, and where each
 * steering policy sends new connections. The state holds the balance at boot (tier 1); the
 * keepalive moves it to the live uplinks of the lowest tier that has any, and fails open to tier 1.
 */
import { routesOf, targetText } from '../state/query.js';
import type { KernelState, Nexthop, Route, UplinkState } from '../state/state.js';
import type { KeepaliveStatus } from './keepalive-status.js';
import { fail, pass, type CheckResult } from './result.js';

const byUplink = <T>(rec: Record<string, T>, u: UplinkState): T | undefined => rec[u.name] ?? rec[u.interface];

/** The uplinks the keepalive says are in the balance, or undefined when its status file does not say. */
export function activeUplinks(state: KernelState, st: KeepaliveStatus | undefined): ReadonlySet<string> | undefined {
  if (!st) return undefined;
  const known = state.uplinks.filter((u) => byUplink(st.active, u) !== undefined);
  if (known.length === 0) return undefined;
  return new Set(known.filter((u) => byUplink(st.active, u)).map((u) => u.name));
}

/**
 * The nexthop an uplink adds to a multipath route: the state's own for a tier-1 uplink, and for a
 * later tier the same words built from its table's route to that destination.
 */
export function nexthopFor(state: KernelState, route: Route, uplink: string): Nexthop | undefined {
  const own = route.nexthops.find((n) => n.uplink === uplink);
  if (own) return own;
  const u = state.uplinks.find((x) => x.name === uplink);
  const r = routesOf(state, uplink, 'uplink').find((x) => targetText(x) === targetText(route));
  if (!u || !r || !r.interface) return undefined;
  return { uplink, interface: r.interface, gateway: r.gateway, weight: u.weight, onlink: r.onlink };
}

/** The lowest tier with a live uplink (undefined: none is live, the keepalive fails open to tier 1). */
function liveTier(state: KernelState, st: KeepaliveStatus): number | undefined {
  const tiers = state.uplinks.filter((u) => byUplink(st.lines, u) === 'up').map((u) => u.tier);
  return tiers.length ? Math.min(...tiers) : undefined;
}

/** One line per uplink: up or down, its tier, in the balance or not, and whether that is what its tier asks. */
export function checkKeepaliveUplinks(state: KernelState, st: KeepaliveStatus): CheckResult[] {
  const live = liveTier(state, st);
  return state.uplinks.map((u) => {
    const line = byUplink(st.lines, u);
    const what = `keepalive ${u.name} (${u.interface})`;
    if (line === undefined) return fail('keepalive', what, 'up or down in the status file', 'not listed');
    const reported = byUplink(st.tiers, u);
    const tierWords = `tier ${u.tier}`;
    if (reported !== undefined && reported !== u.tier) return fail('keepalive', `${what} ${line}, ${tierWords}`, `tier=${u.tier}`, `tier=${reported}`);
    const active = byUplink(st.active, u);
    if (active === undefined) return pass('keepalive', `${what} ${line}, ${tierWords}`, line === 'down' ? 'taken out of the balance' : undefined);
    const where = active ? 'in the balance' : 'out of the balance';
    const whatAll = `${what} ${line}, ${tierWords}, ${where}`;
    if (line === 'up' && !active) {
      if (live !== undefined && u.tier > live) return pass('keepalive', whatAll, `standby: tier ${live} is live`);
      return fail('keepalive', whatAll, `in the balance (tier ${u.tier} is the live tier)`, 'out of the balance');
    }
    if (line === 'down' && active) {
      if (live === undefined && u.tier === 1) return pass('keepalive', whatAll, 'every uplink is down: the keepalive fails open to tier 1');
      return fail('keepalive', whatAll, 'out of the balance while down', 'in the balance');
    }
    return pass('keepalive', whatAll, line === 'down' ? 'taken out of the balance' : undefined);
  });
}

/** Each policy's current target: the first of its uplinks that is up, else its fallback (balance, or reject for none). */
export function checkPolicies(state: KernelState, st: KeepaliveStatus): CheckResult[] {
  return state.steering.policies.map((p) => {
    const what = `keepalive policy ${p.name}`;
    const target = st.policies[p.name];
    if (target === undefined) return fail('keepalive', what, `a "policy ${p.name}" line in the status file`, 'not listed');
    const byNumber = /^\d+$/.test(target) ? state.uplinks[Number(target) - 1]?.name : undefined;
    const name = byNumber ?? state.uplinks.find((u) => u.name === target || u.interface === target)?.name ?? target;
    const up = (n: string) => {
      const u = state.uplinks.find((x) => x.name === n);
      return u !== undefined && byUplink(st.lines, u) === 'up';
    };
    const want = p.uplinks.find(up) ?? (p.fallback === 'balance' ? 'balance' : 'reject');
    const why = p.uplinks.some(up) ? `first of ${p.uplinks.join(', ')} that is up` : `none of ${p.uplinks.join(', ')} is up: fallback ${p.fallback}`;
    return name === want ? pass('keepalive', `${what}: ${name}`, why) : fail('keepalive', `${what}: ${name}`, `${want} (${why})`, name);
  });
}

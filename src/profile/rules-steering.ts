/**
 * Rules of the steering keys (docs/profile.md, "Tiers, policies and pinned connections"): policies
 * name real uplinks and well-formed ports; pinning and policies need connection marks, which teql
 * (per packet by design) and `firewall: none` cannot give; tiers start at 1; `targets: []` warns.
 */
import { PORT_RANGE_RE } from './schema.js';
import { asArray, isObj, shown, uplinksOf, type Finding, type KeyPath, type Rule } from './rules-support.js';

const policiesOf = (p: Record<string, unknown>) => asArray(p.policies).map((x) => (isObj(x) ? x : {}));

/** Every port and range of a sport/dport value, with its key path. */
function portItems(v: unknown, path: KeyPath): Array<{ v: unknown; path: KeyPath }> {
  return Array.isArray(v) ? v.map((x, i) => ({ v: x, path: [...path, i] })) : v === undefined ? [] : [{ v, path }];
}

export const policyRefs: Rule = (p) => {
  const out: Finding[] = [];
  const uplinks = new Set(uplinksOf(p).map((u) => u.name).filter((n): n is string => typeof n === 'string'));
  const names = new Map<string, number>();
  policiesOf(p).forEach((x, i) => {
    if (typeof x.name === 'string') {
      const first = names.get(x.name);
      if (first !== undefined) out.push({ path: ['policies', i, 'name'], message: `${shown(x.name)} is already the name of policies[${first}]`, hint: 'Give every policy a unique name' });
      else names.set(x.name, i);
    }
    const seen = new Set<string>();
    asArray(x.uplinks).forEach((u, j) => {
      if (typeof u !== 'string') return;
      if (!uplinks.has(u)) {
        const known = [...uplinks].join(', ');
        out.push({ path: ['policies', i, 'uplinks', j], message: `${shown(u)} is not the name of an uplink`, hint: known ? `Use one of: ${known}` : 'Name uplinks from the uplinks list' });
      } else if (seen.has(u)) out.push({ path: ['policies', i, 'uplinks', j], message: `${shown(u)} is listed twice`, hint: 'Remove the duplicate' });
      seen.add(u);
    });
  });
  return out;
};

export const policyPorts: Rule = (p) => {
  const out: Finding[] = [];
  policiesOf(p).forEach((x, i) => {
    const m = isObj(x.match) ? x.match : {};
    for (const key of ['sport', 'dport'] as const) {
      if (m[key] === undefined) continue;
      if (m.protocol !== 'tcp' && m.protocol !== 'udp') {
        const has = m.protocol === undefined ? 'no protocol is given' : `protocol is ${shown(m.protocol)}`;
        out.push({ path: ['policies', i, 'match', key], at: 'key', message: `${key} needs protocol tcp or udp, and ${has}`, hint: `Add protocol: tcp (or udp) to the match, or remove ${key}` });
      }
      for (const it of portItems(m[key], ['policies', i, 'match', key])) {
        if (typeof it.v !== 'string') continue;
        const r = PORT_RANGE_RE.exec(it.v);
        if (!r) continue;
        const [lo, hi] = [Number(r[1]), Number(r[2])];
        if (lo > 65535 || hi > 65535) out.push({ path: it.path, message: `${shown(it.v)} is out of range`, hint: 'Ports are 1 to 65535' });
        else if (lo > hi) out.push({ path: it.path, message: `${shown(it.v)} runs backwards`, hint: `Write "${hi}-${lo}"` });
      }
    }
  });
  return out;
};

/** Marks live in netfilter and steer flows between uplinks: not in teql mode, not without a firewall. */
export const steeringNeedsMarks: Rule = (p) => {
  const out: Finding[] = [];
  const routing = isObj(p.routing) ? p.routing : {};
  const hasPolicies = asArray(p.policies).length > 0;
  if (p.mode === 'teql') {
    if (routing.pin_flows === true)
      out.push({ path: ['routing', 'pin_flows'], message: 'teql balances every packet over all slaves by design, so a connection cannot be pinned to one line', hint: 'Remove routing.pin_flows, or use mode: multipath' });
    if (hasPolicies)
      out.push({ path: ['policies'], at: 'key', message: 'policies steer connections to one uplink, and teql sends every packet over all of its slaves', hint: 'Remove policies, or use mode: multipath' });
    return out;
  }
  if (p.firewall === 'none') {
    if (routing.pin_flows === true)
      out.push({ path: ['routing', 'pin_flows'], message: 'pinned connections need connection marks, and firewall is none, so no rule would set them', hint: 'Set firewall: nftables (or iptables), or pin_flows: false' });
    if (hasPolicies)
      out.push({ path: ['policies'], at: 'key', message: 'policies need connection marks, and firewall is none, so no rule would set them', hint: 'Set firewall: nftables (or iptables), or remove policies' });
  }
  return out;
};

export const tiers: Rule = (p) => {
  const us = uplinksOf(p);
  const given = us.map((u) => (typeof u.tier === 'number' ? u.tier : 1));
  if (us.length === 0 || given.includes(1)) return [];
  const i = us.findIndex((u) => typeof u.tier === 'number');
  return [{ path: ['uplinks', Math.max(i, 0), 'tier'], message: 'no uplink is in tier 1, the tier that is in the balance at boot and where the balance fails open', hint: 'Give the main lines tier: 1 (or leave tier out), and the backups 2 or more' }];
};

export const tierWithoutKeepalive: Rule = (p) => {
  if (!isObj(p.keepalive) || p.keepalive.enabled !== false) return [];
  const backups = uplinksOf(p).flatMap((u, i) => (typeof u.tier === 'number' && u.tier > 1 ? [i] : []));
  return backups.map((i) => ({
    severity: 'warning' as const,
    path: ['uplinks', i, 'tier'],
    message: 'without the keepalive only tier-1 uplinks are in the balance, so this uplink is never used',
    hint: 'Enable the keepalive, or give the uplink tier: 1',
  }));
};

export const targetsEmpty: Rule = (p) =>
  isObj(p.keepalive) && Array.isArray(p.keepalive.targets) && p.keepalive.targets.length === 0 && p.keepalive.enabled !== false
    ? [
        {
          severity: 'warning',
          path: ['keepalive', 'targets'],
          message: 'with no far targets, uplinks without probe: are probed at their gateway only, and a dead line behind a live modem goes unnoticed',
          hint: 'Leave targets out for the default far targets, or list addresses beyond the modems',
        },
      ]
    : [];

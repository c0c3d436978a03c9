/**
 * checkKernel(model, snapshot): the pure heart of `mpgen check`. It compares
 * a recorded kernel state with what the model says the box should hold and
 * returns one result per check, in a stable order. No I/O here, so unit tests
 * feed it recorded `ip -j` output and the boot lab feeds it what a VM guest
 * printed on its console.
 */
import type { Model } from '../model/model.js';
import { kernelState } from '../state/build.js';
import type { Address, KernelState, Link, Qdisc } from '../state/state.js';
import { cidrText, literal } from '../state/value.js';
import { checkMainRoutes, checkMultipath, checkRules, checkUplinkTables } from './check-routing.js';
import { activeUplinks, checkKeepaliveUplinks, checkPolicies } from './check-tiers.js';
import { parseKeepaliveStatus, type KeepaliveStatus } from './keepalive-status.js';
import { leaseResults, mainDefaultResults, readLeases, withLeases } from './leases.js';
import { fail, pass, type CheckResult } from './result.js';
import type { IpLink, KernelSnapshot } from './snapshot.js';

function linkState(l: IpLink | undefined): string {
  if (!l) return 'no such interface';
  const flags = l.flags ?? [];
  const admin = flags.includes('UP') ? 'up' : 'down';
  const carrier = flags.includes('LOWER_UP') ? '' : ', no carrier';
  return `${admin}${carrier}`;
}

function hasAddress(l: IpLink | undefined, a: Address): boolean {
  const local = literal(a.local.addr);
  return (l?.addr_info ?? []).some((i) => i.family === 'inet' && i.local === local && i.prefixlen === a.local.prefix);
}

function addresses(l: IpLink | undefined): string {
  const v4 = (l?.addr_info ?? []).filter((i) => i.family === 'inet').map((i) => `${i.local}/${i.prefixlen}`);
  return v4.length ? v4.join(', ') : 'no IPv4 address';
}

/** An interface up (with carrier, unless it is a teql master), holding its address. */
function checkInterface(snap: KernelSnapshot, state: KernelState, link: Link): CheckResult[] {
  const { interface: ifname, name: role, needsCarrier: needCarrier, mtu } = link;
  const address = state.addresses.find((a) => a.interface === ifname);
  const l = snap.links.find((x) => x.ifname === ifname);
  const up = !!l && (l.flags ?? []).includes('UP') && (!needCarrier || (l.flags ?? []).includes('LOWER_UP'));
  const what = `interface ${ifname} (${role}) up`;
  const out = [up ? pass('interface', what) : fail('interface', what, needCarrier ? 'up, with carrier' : 'up', linkState(l))];
  // a dynamic uplink without a lease (or a PPPoE uplink's Ethernet) has no address of ours: the lease result says so
  if (address) {
    const cidr = cidrText(address.local);
    const awhat = `interface ${ifname} (${role}) address ${cidr}`;
    out.push(hasAddress(l, address) ? pass('interface', awhat) : fail('interface', awhat, cidr, l ? addresses(l) : 'no such interface'));
  }
  if (mtu !== undefined) {
    const mwhat = `interface ${ifname} (${role}) mtu ${mtu}`;
    out.push(l?.mtu === mtu ? pass('interface', mwhat) : fail('interface', mwhat, String(mtu), l ? String(l.mtu ?? 'unknown') : 'no such interface'));
  }
  return out;
}

function sysctl(snap: KernelSnapshot, key: string): string | undefined {
  const v = snap.sysctl[key];
  return v === undefined ? undefined : v.trim();
}

function checkRpFilter(snap: KernelSnapshot, ifname: string, role: string, want: number, wantName: string): CheckResult {
  const all = sysctl(snap, 'net.ipv4.conf.all.rp_filter');
  const own = sysctl(snap, `net.ipv4.conf.${ifname}.rp_filter`);
  const what = `sysctl rp_filter on ${ifname} (${role}) = ${want} (${wantName}; effective max(all, ${ifname}))`;
  if (all === undefined || own === undefined) return fail('sysctl', what, String(want), `all=${all ?? 'absent'}, ${ifname}=${own ?? 'absent'}`);
  const eff = Math.max(Number(all), Number(own));
  return eff === want ? pass('sysctl', what) : fail('sysctl', what, String(want), `${eff} (all=${all}, ${ifname}=${own})`);
}

function checkSysctlValue(snap: KernelSnapshot, key: string, want: string, why?: string): CheckResult {
  const v = sysctl(snap, key);
  const what = `sysctl ${key} = ${want}${why ? ` (${why})` : ''}`;
  return v === want ? pass('sysctl', what) : fail('sysctl', what, want, v ?? 'absent');
}

function checkSysctls(state: KernelState, snap: KernelSnapshot): CheckResult[] {
  const out: CheckResult[] = [];
  for (const x of state.sysctls) {
    const key = x.path.join('.');
    // a PPP device's: only while its session is up (the session's own result says when it is not)
    if (x.atLinkUp && x.rpFilter && !snap.links.some((l) => l.ifname === x.rpFilter?.interface)) continue;
    if (x.rpFilter) out.push(checkRpFilter(snap, x.rpFilter.interface, x.rpFilter.owner, x.value, x.rpFilter.word));
    // all = 0 is what lets each interface govern itself: it is checked through their effective values
    else if (key !== 'net.ipv4.conf.all.rp_filter') out.push(checkSysctlValue(snap, key, String(x.value), x.gloss));
  }
  return out;
}

/** The uplinks the keepalive reports down, matched by uplink name or interface. */
function downUplinks(model: Model, st: KeepaliveStatus | undefined): Set<string> {
  const down = new Set<string>();
  if (!st) return down;
  for (const u of model.uplinks) if (st.lines[u.name] === 'down' || st.lines[u.interface] === 'down') down.add(u.name);
  return down;
}

/** The systemd unit a process runs in, from its /proc/PID/cgroup (v2 "0::/system.slice/x.service", or v1 "name=systemd"). */
export function unitOfCgroup(cgroup: string): string | undefined {
  for (const line of cgroup.split('\n')) {
    const m = /\/([^/]+\.service)(?:\/|$)/.exec(line.split(':').slice(2).join(':'));
    if (m) return m[1];
  }
  return undefined;
}

function checkKeepalive(model: Model, state: KernelState, snap: KernelSnapshot, st: KeepaliveStatus | undefined): CheckResult[] {
  const file = `/run/mpgen/${model.name}.status`;
  const raw = snap.keepaliveStatus?.[model.name];
  if (raw === undefined || !st) return [fail('keepalive', `keepalive status ${file}`, 'the keepalive status file', 'no such file')];
  const out: CheckResult[] = [pass('keepalive', `keepalive status ${file}`)];
  if (st.pid === undefined) {
    out.push(fail('keepalive', 'keepalive running', 'a pid in the status file', 'none'));
  } else {
    const p = snap.processes?.[String(st.pid)];
    const what = `keepalive running (pid ${st.pid})`;
    if (!p || p.state === 'Z' || p.state === 'X') out.push(fail('keepalive', what, `process ${st.pid} alive`, p ? `state ${p.state}` : 'no such process'));
    else {
      out.push(pass('keepalive', what));
      // Unit active: the pid runs in a systemd service's cgroup. Read from
      // /proc/PID/cgroup, so no systemctl is needed.
      const unit = unitOfCgroup(p.cgroup);
      const uwhat = 'keepalive unit active';
      out.push(unit ? pass('keepalive', `${uwhat}: ${unit}`) : fail('keepalive', uwhat, `pid ${st.pid} in a systemd .service`, `cgroup ${p.cgroup.trim() || 'unknown'}`));
    }
  }
  out.push(...checkKeepaliveUplinks(state, st), ...checkPolicies(state, st));
  return out;
}

/** The teql slaves in the balance: the state's (tier 1) at boot, or the ones the keepalive says are active. */
function teqlSlaves(state: KernelState, active: ReadonlySet<string> | undefined): Qdisc[] {
  const b = state.bond;
  if (!b || !active || active.size === 0) return state.qdiscs;
  return state.uplinks.filter((u) => active.has(u.name) || state.qdiscs.some((q) => q.owner === u.name)).map((u) => ({ interface: u.interface, owner: u.name, parent: 'root', kind: b.interface }));
}

function checkTeql(state: KernelState, snap: KernelSnapshot, takenOut: ReadonlySet<string>, active: ReadonlySet<string> | undefined): CheckResult[] {
  const out: CheckResult[] = [];
  for (const q of teqlSlaves(state, active)) {
    if (active && active.size > 0 && !active.has(q.owner) && !takenOut.has(q.owner)) {
      // a tier-1 slave the keepalive keeps out while it is up: checkKeepaliveUplinks says whether that is right
      out.push(pass('teql', `teql qdisc ${q.kind} on ${q.interface} (${q.owner})`, `${q.owner} out of the balance`));
      continue;
    }
    const what = `teql qdisc ${q.kind} on ${q.interface} (${q.owner})`;
    const root = snap.qdiscs.find((x) => x.dev === q.interface && x.root === true);
    const attached = root?.kind === q.kind;
    if (takenOut.has(q.owner)) {
      out.push(
        attached
          ? fail('teql', what, `detached while the keepalive reports ${q.owner} down`, `root qdisc ${q.kind}`)
          : pass('teql', what, `${q.owner} taken out by the keepalive: down`),
      );
    } else {
      out.push(attached ? pass('teql', what) : fail('teql', what, `root qdisc ${q.kind}`, root ? `root qdisc ${root.kind}` : 'no root qdisc'));
    }
  }
  // a slave out of the balance (a later tier while tier 1 is live, or for good without a keepalive) has no teql qdisc
  const inBalance = new Set(teqlSlaves(state, active).map((q) => q.owner));
  for (const u of state.uplinks.filter((x) => !inBalance.has(x.name))) {
    const kind = state.bond!.interface;
    const what = `no teql qdisc ${kind} on ${u.interface} (${u.name}, tier ${u.tier}: out of the balance)`;
    const root = snap.qdiscs.find((x) => x.dev === u.interface && x.root === true);
    out.push(root?.kind === kind ? fail('teql', what, 'no teql root qdisc', `root qdisc ${kind}`) : pass('teql', what));
  }
  for (const l of state.links.filter((x) => x.role === 'bond')) out.push(...checkInterface(snap, state, l));
  return out;
}

export function checkKernel(model: Model, snap: KernelSnapshot): CheckResult[] {
  const raw = snap.keepaliveStatus?.[model.name];
  const status = model.keepalive.enabled && raw !== undefined ? parseKeepaliveStatus(raw) : undefined;
  const takenOut = downUplinks(model, status);
  const boot = kernelState(model);
  // a dynamic uplink is checked against the lease the kernel holds now
  const leases = readLeases(boot, snap);
  const state = withLeases(boot, leases);
  const active = activeUplinks(state, status);
  const out: CheckResult[] = [...leaseResults(state, leases)];
  for (const l of state.links.filter((x) => x.role !== 'bond')) out.push(...checkInterface(snap, state, l));
  if (state.bond) out.push(...checkTeql(state, snap, takenOut, active));
  out.push(...checkRules(state, snap));
  out.push(...checkUplinkTables(state, snap));
  out.push(...checkMainRoutes(state, snap), ...mainDefaultResults(state, snap));
  out.push(...checkMultipath(state, snap, takenOut, active));
  out.push(...checkSysctls(state, snap));
  if (model.keepalive.enabled) out.push(...checkKeepalive(model, state, snap, status));
  return out;
}

/**
 * The boot lab's pinning and drift part (issue 12, docs/boot-lab.md):
 *
 * - a LAN namespace inside the guest (198.51.100.2 behind 198.51.100.1 on
 *   the guest's lan0), so its connections are forwarded and masqueraded
 *   like a real LAN client's: they follow the multipath route unless the
 *   connection marks pin them;
 * - a TCP client there (node, commands on stdin): batches of long-lived
 *   connections to the lab's echo server, one line every 200 ms each, and a
 *   report per connection (which uplink address the server saw, broken or
 *   not) when asked;
 * - the echo server itself (node, host side, in the internet namespace,
 *   started by lab.startEchoServer): it greets each connection with the
 *   address it came from, so the guest knows which line carries it;
 * - the drift events per backend: what an admin or the network daemon does
 *   while a line is out (restart, reconfigure, reload, a carrier flap);
 *   after each the multipath route must still lack the dead line and the
 *   mark rules must be intact.
 *
 * The modems drop spoofed sources (lab.dropSpoofed), so a flow that moved
 * to the other line after its NAT was fixed is lost, not silently carried.
 */
import type { Model } from '../../src/model/model.js';
import { kernelState } from '../../src/state/build.js';

export const LAN = { guest: '198.51.100.1', client: '198.51.100.2', prefix: 24 };
export const ECHO_PORT = 7777;
/** a connection with no echo for this long is broken (the client sends every 200 ms) */
export const STALE_MS = 3000;

export const GUEST_TCP_CLIENT = '/usr/local/sbin/mpgen-lab-tcp.js';

/** The guest's client: `node mpgen-lab-tcp.js HOST PORT OUTDIR`, commands on stdin: `open BATCH N`, `report NAME`, `quit`. */
export const TCP_CLIENT = `'use strict';
// mpgen boot lab: long-lived TCP connections to the echo server (bounded: 400 s, 200 connections)
const net = require('net');
const fs = require('fs');
const [host, port, out] = [process.argv[2], Number(process.argv[3]), process.argv[4]];
const conns = [];
setTimeout(() => process.exit(0), 400000);
function open(batch, n) {
  for (let i = 0; i < n && conns.length < 200; i++) {
    const c = { batch, id: conns.length, via: '-', last: Date.now(), gap: 0, got: 0, err: '' };
    conns.push(c);
    const s = net.connect(port, host);
    let buf = '';
    let sent = 0;
    s.setNoDelay(true);
    s.on('connect', () => {
      c.timer = setInterval(() => s.write(c.id + ' ' + ++sent + '\\n'), 200);
    });
    s.on('data', (d) => {
      buf += d;
      let k;
      while ((k = buf.indexOf('\\n')) >= 0) {
        const line = buf.slice(0, k);
        buf = buf.slice(k + 1);
        const now = Date.now();
        if (line.startsWith('hi ')) c.via = line.slice(3);
        else c.got++;
        c.gap = Math.max(c.gap, now - c.last);
        c.last = now;
      }
    });
    s.on('error', (e) => { c.err = c.err || e.code || 'error'; });
    s.on('close', () => { clearInterval(c.timer); c.err = c.err || 'closed'; });
  }
}
// one line per connection: batch id via=ADDR ok=0|1 gap=MS (longest silence since the last report) got=N err=CODE
function report(name) {
  const now = Date.now();
  const lines = conns.map((c) => {
    const ok = !c.err && now - c.last < ${STALE_MS} ? 1 : 0;
    const l = c.batch + ' ' + c.id + ' via=' + c.via + ' ok=' + ok + ' gap=' + Math.max(c.gap, now - c.last) + ' got=' + c.got + ' err=' + (c.err || '-');
    c.gap = 0;
    return l;
  });
  fs.writeFileSync(out + '/' + name + '.tmp', lines.join('\\n') + '\\n');
  fs.renameSync(out + '/' + name + '.tmp', out + '/' + name);
}
require('readline').createInterface({ input: process.stdin }).on('line', (l) => {
  const [cmd, a, b] = l.trim().split(/\\s+/);
  if (cmd === 'open') open(a, Number(b));
  else if (cmd === 'report') report(a);
  else if (cmd === 'quit') process.exit(0);
});
`;

/** The host's echo server (internet namespace): greets with the peer address, echoes. Bounded: 500 connections, 15 min. */
export const ECHO_SERVER = `'use strict';
const net = require('net');
let n = 0;
const srv = net.createServer((s) => {
  if (++n > 500) return s.destroy();
  s.setNoDelay(true);
  s.on('error', () => {});
  s.setTimeout(120000, () => s.destroy());
  s.write('hi ' + s.remoteAddress + '\\n');
  s.on('data', (d) => s.write(d));
});
srv.listen(Number(process.argv[2]), process.argv[1]);
setTimeout(() => process.exit(0), 900000);
`;

export interface DriftEvent {
  name: string;
  /** sh run in the guest */
  cmd: string;
}

/**
 * What happens to a box while a line is out. The network daemon reapplies
 * its configuration (which holds the boot balance, dead line included) and
 * the keepalive must repair that drift. The healthy uplink is touched only
 * where that keeps its address (an ifdown would drop it, and with it every
 * masqueraded connection: no keepalive can save those).
 */
export function driftEvents(backend: string | undefined, m: Model): DriftEvent[] {
  const [dead, healthy] = m.uplinks as [Model['uplinks'][number], Model['uplinks'][number]];
  const flap: DriftEvent = { name: 'flap-lan0', cmd: 'ip link set lan0 down; sleep 0.5; ip link set lan0 up' };
  switch (backend) {
    case 'networkd':
    case 'netplan':
      // networkd (252) deletes a DHCP address and adds it back 0.3-0.5 s later, both at its
      // restart and at a reconfigure of that link (traced in every run, docs/boot-lab.md): like
      // an ifdown, that drops what was masqueraded to it. With a DHCP healthy line the daemon's
      // drift comes from reconfiguring the dead line instead.
      if (healthy.addressing === 'dhcp')
        return [
          { name: `reconfigure-${dead.interface}`, cmd: `networkctl reconfigure ${dead.interface}` },
          { name: 'networkctl-reload', cmd: 'networkctl reload' },
          flap,
        ];
      return [
        { name: 'restart-networkd', cmd: 'systemctl restart systemd-networkd' },
        { name: `reconfigure-${healthy.interface}`, cmd: `networkctl reconfigure ${healthy.interface}` },
        { name: 'networkctl-reload', cmd: 'networkctl reload' },
        flap,
      ];
    case 'nm':
      return [
        { name: 'nm-reload', cmd: 'nmcli general reload' },
        // the connection ids the nm backend writes: mpgen-PROFILE-UPLINK. The admin re-activates
        // the broken line's profile (as ifupdown's ifdown/ifup below): NM and its dispatcher put
        // it back in the multipath route. Re-activating the healthy line's own profile re-adds its
        // address, and the kernel drops what was masqueraded to it: most flows are picked up again
        // by their next packet, but a reply that arrives first meets no socket and is reset (1 of
        // 39 in one run), as with an ifdown/ifup of that line (docs/boot-lab.md)
        { name: `nm-up-${dead.name}`, cmd: `nmcli connection up mpgen-${m.name}-${dead.name}` },
        flap,
      ];
    default:
      // ifupdown: the admin bounces the broken line (its post-up hooks reinstall the balance)
      return [{ name: `ifdown-ifup-${dead.interface}`, cmd: `ifdown ${dead.interface}; ifup ${dead.interface}` }, flap];
  }
}

export interface MarkRule {
  priority: number;
  fwmark: number;
  mask: number;
  table: number;
}

/** The mark rules the kernel state wants (empty without marks). */
export function markRules(m: Model): MarkRule[] {
  return kernelState(m)
    .rules.filter((r) => r.role === 'mark')
    .map((r) => ({ priority: r.priority, fwmark: r.fwmark as number, mask: r.mask as number, table: r.table }));
}

/** The mark rules of `ip -N -j rule` output that are missing. */
export function missingMarkRules(want: MarkRule[], ipRuleJson: string | undefined): MarkRule[] {
  let rules: Array<{ priority?: number; fwmark?: string | number; fwmask?: string | number; table?: string | number }> = [];
  try {
    rules = JSON.parse(ipRuleJson?.trim() || '[]');
  } catch {
    return want;
  }
  return want.filter(
    (w) =>
      !rules.some(
        (r) => r.priority === w.priority && Number(r.fwmark) === w.fwmark && Number(r.fwmask ?? 0xffffffff) === w.mask && Number(r.table) === w.table,
      ),
  );
}

export interface Conn {
  batch: string;
  id: number;
  via: string;
  ok: boolean;
  gapMs: number;
  err: string;
}

/** The client's report lines. */
export function parseConns(text: string | undefined): Conn[] {
  const out: Conn[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\S+) (\d+) via=(\S+) ok=([01]) gap=(\d+) got=\d+ err=(\S+)$/.exec(line.trim());
    if (m) out.push({ batch: m[1] as string, id: Number(m[2]), via: m[3] as string, ok: m[4] === '1', gapMs: Number(m[5]), err: m[6] as string });
  }
  return out;
}

/**
 * Connections on the healthy line that broke during the kill step (broken at
 * the report "out", taken after the drift events) and during the restore
 * step (alive at "out", broken at "back"); `unconnected`: never greeted.
 */
export function pinnedBreaks(out: Conn[], back: Conn[], healthySrc: string): { healthy: number; killed: number; restored: number; unconnected: number; lost: string[] } {
  const onHealthy = out.filter((c) => c.via === healthySrc);
  const aliveOut = new Set(onHealthy.filter((c) => c.ok).map((c) => c.id));
  const lost = [
    ...onHealthy.filter((c) => !c.ok).map((c) => `kill:${c.batch}${c.id}(${c.err},${c.gapMs}ms)`),
    ...back.filter((c) => aliveOut.has(c.id) && !c.ok).map((c) => `restore:${c.batch}${c.id}(${c.err},${c.gapMs}ms)`),
  ];
  return {
    healthy: onHealthy.length,
    killed: onHealthy.length - aliveOut.size,
    restored: back.filter((c) => aliveOut.has(c.id) && !c.ok).length,
    unconnected: out.filter((c) => c.via === '-').length,
    lost,
  };
}

export interface TcpPlan {
  /** connections opened while both lines are up, and after line 0 is out */
  batchA: number;
  batchB: number;
  /** the healthy uplink's address (what the server sees) and interface */
  healthySrc: string;
  healthyDev: string;
  events: DriftEvent[];
}

/** Shell pieces of the result script (boot-lab.ts guestScript); they use its helpers up, sec, end, inroute. */
/** The drift helpers: healthy() and ev INDEX NAME CMD (run it, then watch the route, bounded). */
const DRIFT_FUNCS = (table: number, healthyDev: string, dir: string): string => `healthy() { ip route show table ${table} | grep -q 'dev ${healthyDev} ' && ! inroute; }
ev() { # index name command: run it, then watch the route (by guest uptime: 3 s at least, 12 s at most) until it is healthy
  e0=$(up); timeout 30 sh -c "$3" >${dir}/ev.out 2>&1; rc=$?; e1=$(up)
  drift=0; s0=$(cut -d. -f1 /proc/uptime)
  while :; do
    s=$(cut -d. -f1 /proc/uptime)
    inroute && drift=1
    [ $s -ge $((s0 + 3)) ] && healthy && break
    [ $s -ge $((s0 + 12)) ] && break
    sleep 0.1
  done
  healthy && ok=1 || ok=0
  echo "event=$2 rc=$rc drift=$drift ok=$ok start=$e0 done=$e1 settled=$(up) out=$(tr '\\n' ' ' <${dir}/ev.out | cut -c1-200)" >>${dir}/drift
  sec rules-$1; ip -N -j -4 rule show; end rules-$1
  sec route-$1; ip route show table ${table}; end route-$1
}`;

export function tcpShell(t: TcpPlan, table: number, node: string) {
  const dir = '/run/mpgen-lab';
  return {
    /** the LAN namespace, forwarding, the client in the background (its stdin: fd 4) */
    start: `# a LAN client behind the box: its connections are forwarded and masqueraded
ip netns add lan
ip link add lan0 type veth peer name lan1 netns lan
command -v nmcli >/dev/null && nmcli device set lan0 managed no 2>/dev/null
ip addr add ${LAN.guest}/${LAN.prefix} dev lan0; ip link set lan0 up
ip -n lan link set lo up; ip -n lan addr add ${LAN.client}/${LAN.prefix} dev lan1; ip -n lan link set lan1 up
ip -n lan route add default via ${LAN.guest}
# a LAN host's packets reach the box with a NIC's hash; these carry their socket's, and
# Linux TCP picks a new one on every retransmission timeout (another nexthop): that would
# heal a moved flow by itself. Off, so a flow keeps its hash like a real LAN client's.
ip netns exec lan sysctl -qw net.core.txrehash=0
echo 1 >/proc/sys/net/ipv4/ip_forward
mkfifo ${dir}/tcp.ctl
ip netns exec lan ${node} ${GUEST_TCP_CLIENT} 203.0.113.10 ${ECHO_PORT} ${dir} <${dir}/tcp.ctl >${dir}/tcp.log 2>&1 &
exec 4>${dir}/tcp.ctl
tcp() { echo "$*" >&4; }
tcpreport() { # name: ask the client, wait (bounded) for its file, print it as section tcp-NAME
  rm -f ${dir}/$1; tcp report $1
  i=0; while [ ! -e ${dir}/$1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  sec tcp-$1; cat ${dir}/$1 2>&1; cat ${dir}/tcp.log 2>/dev/null | tail -n 5; end tcp-$1
}
tcp open A ${t.batchA}
sleep 2`,
    /** after line 0 is out: the second batch, all on the healthy line */
    openB: `${DRIFT_FUNCS(table, t.healthyDev, dir)}
: >${dir}/drift
tcp open B ${t.batchB}
sleep 2`,
    /** the other drift events, each followed by a bounded wait; sections drift (one line each) and rules-I */
    events: `${t.events.map((e, i) => `ev ${i} ${e.name} '${e.cmd}'`).join('\n')}
sec drift; cat ${dir}/drift; end drift
sleep 1
tcpreport out`,
    /** after the restore: let broken flows show (no echo for ${STALE_MS} ms), then the last report */
    back: `sleep ${Math.ceil(STALE_MS / 1000) + 1}
tcpreport back
tcp quit`,
  };
}

export interface DriftResult {
  event: string;
  rc: string;
  /** the dead line was seen in the multipath route after the event */
  drift: boolean;
  /** at the end of the wait the route held the healthy line and not the dead one */
  ok: boolean;
  /** seconds from the command's end to healthy (or to the end of the wait) */
  settleS: number;
  out: string;
}

/** The section drift: one line per event (the command's output last, it may hold spaces). */
export function parseDrift(text: string | undefined): DriftResult[] {
  const out: DriftResult[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^event=(\S+) rc=(\S+) drift=([01]) ok=([01]) start=\S+ done=(\S+) settled=(\S+) out=(.*)$/.exec(line.trim());
    if (m) out.push({ event: m[1] as string, rc: m[2] as string, drift: m[3] === '1', ok: m[4] === '1', settleS: Math.round((Number(m[6]) - Number(m[5])) * 10) / 10, out: m[7] as string });
  }
  return out;
}

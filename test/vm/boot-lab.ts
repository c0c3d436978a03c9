/**
 * The boot lab's moving parts (docs/boot-lab.md, "The full boot lab"):
 *
 * - debFor(): the real CLI builds the .deb (`mpgen package --format deb`),
 *   and we read the keepalive unit's name from the package contents;
 * - cliFiles(): the mpgen bundle (dist/) and this host's node binary, so
 *   `mpgen check` runs for real inside the guest;
 * - the balanced unit: from early boot, runs `mpgen check` until it passes
 *   and records the guest's /proc/uptime (boot-to-balanced);
 * - guestScript(): the sequence the result unit runs once the box is
 *   balanced: traffic, then kill a line (via a console step marker the host
 *   acts on), watch the keepalive take it out, traffic, restore, watch it
 *   rejoin, traffic. Every wait is bounded;
 * - stepDriver(): the host side of the step markers.
 *
 * Only documentation addresses; traffic goes to the lab's internet
 * namespace (203.0.113.10), whose input swallows the datagrams.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelFromText } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';
import { tcpShell, type TcpPlan } from './boot-lab-tcp.js';
import type { Lab } from './lab-net.js';
import { stripJournalPrefix } from './qemu.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const PROFILES = fileURLToPath(new URL('./profiles/', import.meta.url));

export const GUEST_PROFILE = '/opt/mpgen-lab/profile.yaml';
/** the launcher (bin/mpgen.cjs), which requires ../dist/mpgen.cjs */
export const GUEST_CLI = '/opt/mpgen/bin/mpgen.cjs';
export const GUEST_NODE = '/usr/local/bin/node';

/** A lab profile of test/vm/profiles/, as the model. */
export function labModel(file: string): Model {
  return loadModelFromText(readFileSync(join(PROFILES, file), 'utf8'), `test/vm/profiles/${file}`).model;
}

/** What `mpgen check --json` prints. */
export interface CheckJson {
  ok: boolean;
  results: Array<{ ok: boolean; area: string; what: string; expected?: string; found?: string; note?: string }>;
}

/** A check section the guest printed, parsed (an error when it printed none). */
export function checkJson(text: string | undefined, what: string): CheckJson {
  if (text === undefined || text.trim() === '') throw new Error(`the guest printed no ${what}`);
  return JSON.parse(text) as CheckJson;
}

export const failures = (c: CheckJson) => c.results.filter((x) => !x.ok);

/** `npm run build` (dist/ is what runs in the guest and what bin/mpgen.cjs loads). */
export function buildCli(): void {
  execFileSync('node', ['scripts/build.mjs'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

export interface Deb {
  path: string;
  /** paths in the package, without the leading "." */
  contents: string[];
  /** the keepalive unit the package enables, e.g. mpgen-keepalive@NAME.service or mpgen-keepalive-NAME.service */
  keepaliveUnit: string | undefined;
  /** what the CLI printed (render notes) */
  notes: string;
}

/** The keepalive unit for profile NAME, from the unit files a package ships (template or per-profile). */
export function keepaliveUnitOf(contents: string[], name: string): string | undefined {
  const units = contents.map((p) => p.split('/').pop() ?? '').filter((f) => /^mpgen-keepalive.*\.service$/.test(f));
  if (units.includes(`mpgen-keepalive-${name}.service`)) return `mpgen-keepalive-${name}.service`;
  if (units.includes(`mpgen-keepalive@${name}.service`)) return `mpgen-keepalive@${name}.service`;
  if (units.includes('mpgen-keepalive@.service')) return `mpgen-keepalive@${name}.service`;
  return units.length === 1 ? units[0] : undefined;
}

/** `mpgen package --distro debian [--backend B] --format deb -p PROFILE -o OUT` with the real CLI. */
export function debFor(profile: string, name: string, out: string, backend?: string): Deb {
  mkdirSync(out, { recursive: true });
  const args = [join(REPO, 'bin/mpgen.cjs'), 'package', '--distro', 'debian', '--format', 'deb', '-p', profile, '-o', out];
  if (backend) args.push('--backend', backend);
  const notes = execFileSync('node', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const debs = readdirSync(out).filter((f) => f.endsWith('.deb'));
  if (debs.length !== 1) throw new Error(`expected one .deb in ${out}, found ${debs.join(', ') || 'none'}`);
  const path = join(out, debs[0] as string);
  const contents = execFileSync('dpkg-deb', ['-c', path], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(/\s+/)[5] ?? '')
    .filter((p) => p.startsWith('./'))
    .map((p) => p.slice(1));
  return { path, contents, keepaliveUnit: keepaliveUnitOf(contents, name), notes };
}

/** dist/ and this host's node (a Debian 12 build that needs only glibc/libstdc++, which the image has). */
export function cliFiles(): Record<string, { path: string; mode?: number }> {
  const dist = join(REPO, 'dist');
  if (!existsSync(join(dist, 'mpgen.cjs'))) throw new Error('dist/mpgen.cjs missing: run npm run build');
  const out: Record<string, { path: string; mode?: number }> = {
    [GUEST_NODE]: { path: process.execPath, mode: 0o755 },
    [GUEST_CLI]: { path: join(REPO, 'bin/mpgen.cjs'), mode: 0o755 },
  };
  // every file of the bundle (entry, chunks, workers, caches: the layout is the build's business)
  for (const e of readdirSync(dist, { withFileTypes: true })) if (e.isFile()) out[`/opt/mpgen/dist/${e.name}`] = { path: join(dist, e.name), mode: 0o644 };
  return out;
}

/**
 * Runs from early boot (no ordering on the network): `mpgen check` until it
 * passes, then records the guest uptime before and after the passing run and
 * the kernel state at that moment. Bounded by guest uptime (deadline): the
 * unit holds up multi-user.target and so the result unit, and the console is
 * silent meanwhile; 100 s stays clear of the lab's 150 s hang detector, so a
 * check that never passes fails the case instead of looking like a hang.
 */
export function balancedScript(deadlineS = 100): string {
  return `#!/bin/sh
out=/run/mpgen-lab
mkdir -p "$out"
n=0
while :; do
  n=$((n + 1))
  t0=$(cut -d' ' -f1 /proc/uptime)
  if ${GUEST_NODE} ${GUEST_CLI} check -p ${GUEST_PROFILE} --json >"$out/check.json" 2>"$out/check.err"; then
    t1=$(cut -d' ' -f1 /proc/uptime)
    /usr/local/sbin/mpgen-lab-state >"$out/state" 2>&1
    printf 'passed=1\\nstart=%s\\nend=%s\\nattempts=%s\\n' "$t0" "$t1" "$n" >"$out/balanced"
    break
  fi
  cp "$out/check.json" "$out/check-last-fail.json"
  if [ "\${t0%.*}" -ge ${deadlineS} ]; then
    printf 'passed=0\\nstart=%s\\nattempts=%s\\n' "$t0" "$n" >"$out/balanced"
    break
  fi
  sleep 1
done
touch "$out/balanced.done"
`;
}

export const BALANCED_UNIT = `[Unit]
Description=mpgen boot lab: run mpgen check from early boot until it passes
After=local-fs.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/mpgen-lab-balanced
StandardOutput=journal
StandardError=journal

[Install]
WantedBy=multi-user.target
`;

export interface LabPlan {
  mode: 'multipath' | 'teql';
  /** the uplink interface the lab kills (index 0 of the lab) */
  victimDev: string;
  devs: string[];
  /** multipath: the table holding the multipath route */
  table?: number;
  bond?: string;
  keepaliveUnit: string;
  /** flows (multipath) or packets of one flow (teql) per phase */
  counts: { before: number; out: number; back: number };
  /** UDP destination ports, first of each phase (counters on the modems use these ranges) */
  ports: { before: number; out: number; back: number };
  /** multipath: pinned LAN connections and drift events (boot-lab-tcp.ts) */
  tcp?: TcpPlan;
  /** a DHCP line renumbered at the end (the host acts on `renumber LINE`): its new lease, on DEV */
  renumber?: { line: number; dev: string; address: string; gateway: string };
}

/** The counter ranges for lab.countUdp() that match a plan. */
export function counterRanges(p: LabPlan): Record<string, [number, number]> {
  const r = (lo: number, n: number): [number, number] => (p.mode === 'teql' ? [lo, lo] : [lo, lo + n - 1]);
  return { before: r(p.ports.before, p.counts.before), out: r(p.ports.out, p.counts.out), back: r(p.ports.back, p.counts.back) };
}

/**
 * The result unit's user script. Sections (parse with sections(r.sections.user)):
 * balanced, check-boot, unit, the state sections (addr, rule, route, ...) at
 * the moment the check passed, tx-before / tx-out / tx-back (guest per-NIC
 * tx_packets deltas), failover (uptimes), check-out, keepalive-out,
 * check-back. Step markers go straight to /dev/console for the host.
 */
export function guestScript(p: LabPlan): string {
  const inRoute =
    p.mode === 'multipath'
      ? `ip route show table ${p.table} | grep -q 'dev ${p.victimDev} '`
      : `tc qdisc show dev ${p.victimDev} root | grep -q '${p.bond}'`;
  const send =
    p.mode === 'multipath'
      ? // one flow per datagram: a new socket (new source port) to a new destination port
        `bash -c 'p=$1; e=$(($1 + $2)); while [ $p -lt $e ]; do echo x >/dev/udp/203.0.113.10/$p; p=$((p + 1)); done' _ "$1" "$2" 2>/dev/null`
      : // ONE flow: one connected socket, same ports for every datagram
        `bash -c 'exec 3>/dev/udp/203.0.113.10/$1 || exit 1; i=0; while [ $i -lt $2 ]; do echo x >&3; i=$((i + 1)); done' _ "$1" "$2" 2>/dev/null`;
  const devs = p.devs.join(' ');
  const tcp = p.tcp ? tcpShell(p.tcp, p.table as number, GUEST_NODE) : undefined;
  const part = (x: string | undefined) => (x === undefined ? '' : `${x}\n`);
  return `
up() { cut -d' ' -f1 /proc/uptime; }
mark() { echo "===MPGEN-STEP $*===" >/dev/console; }
sec() { echo "===MPGEN-BEGIN $1==="; }
end() { echo "===MPGEN-END $1==="; }
send() { ${send}; }
txall() { for d in ${devs}${p.bond ? ` ${p.bond}` : ''}; do printf '%s=%s\\n' "$d" "$(cat /sys/class/net/$d/statistics/tx_packets)"; done; }
traffic() { # name firstport count
  txall >/run/mpgen-lab/tx0; send "$2" "$3"; sleep 1; txall >/run/mpgen-lab/tx1
  sec "tx-$1"; paste -d' ' /run/mpgen-lab/tx0 /run/mpgen-lab/tx1; end "tx-$1"
}
chk() { sec "$1"; ${GUEST_NODE} ${GUEST_CLI} check -p ${GUEST_PROFILE} --json 2>/dev/null; end "$1"; }
inroute() { ${inRoute}; }
# wait (bounded) for the early-boot check loop
i=0; while [ ! -e /run/mpgen-lab/balanced.done ] && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
sec balanced; cat /run/mpgen-lab/balanced 2>&1; end balanced
sec check-boot; cat /run/mpgen-lab/check.json 2>&1; end check-boot
sec check-last-fail; cat /run/mpgen-lab/check-last-fail.json 2>/dev/null; end check-last-fail
sec check-err; cat /run/mpgen-lab/check.err 2>/dev/null; end check-err
cat /run/mpgen-lab/state 2>/dev/null
sec unit; systemctl is-active ${p.keepaliveUnit}; end unit
${p.mode === 'teql' ? `send 29999 20  # warm-up: each slave resolves the bond gateway\nsleep 1` : ''}
${process.env.MPGEN_BOOTLAB_TRACE === '1' ? `${TRACE_START}\n` : ''}${part(tcp?.start)}traffic before ${p.ports.before} ${p.counts.before}
# kill line 0's far link (the host does it on the marker), wait for the keepalive to take it out
t0=$(up); mark kill 0
i=0; while inroute && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
t1=$(up); inroute && gone=0 || gone=1
# the daemon changes the route first and renames its status file after: wait (bounded) for that
i=0; while ! grep -q '^uplink [^ ]* down' /run/mpgen/*.status 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sec keepalive-out; cat /run/mpgen/*.status 2>&1; end keepalive-out
${part(tcp?.openB)}traffic out ${p.ports.out} ${p.counts.out}
${part(tcp?.events)}chk check-out
# restore it, wait for it to rejoin
t2=$(up); mark restore 0
i=0; while ! inroute && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done
t3=$(up); inroute && back=1 || back=0
i=0; while grep -q '^uplink [^ ]* down' /run/mpgen/*.status 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
traffic back ${p.ports.back} ${p.counts.back}
chk check-back
${part(tcp?.back)}${p.renumber ? `${renumberShell(p.renumber, p.table as number)}\n` : ''}sec failover; printf 'kill=%s\\nout=%s\\ngone=%s\\nrestore=%s\\nrejoined=%s\\nback=%s\\n' "$t0" "$t1" "$gone" "$t2" "$t3" "$back"; end failover
${process.env.MPGEN_BOOTLAB_TRACE === '1' ? `${TRACE_END}\n` : ''}sec journal; journalctl -b -u '${p.keepaliveUnit}' --no-pager -o short-monotonic 2>&1 | tail -n 40; end journal
# when each piece came up (microseconds of monotonic time, i.e. since kernel start)
sec timeline; for x in network-pre.target networking.service systemd-networkd.service NetworkManager.service network.target network-online.target systemd-networkd-wait-online.service NetworkManager-wait-online.service '${p.keepaliveUnit}'; do
  printf '%s %s\n' "$x" "$(systemctl show -p ActiveEnterTimestampMonotonic -p ActiveState --value "$x" 2>/dev/null | tr '\n' ' ')"; done; end timeline
sec netdiag; journalctl -b -u systemd-networkd-wait-online.service -u NetworkManager-wait-online.service -u networking.service --no-pager -o short-monotonic 2>&1 | tail -n 15; end netdiag
true
`;
}

/**
 * The ISP renumbers the DHCP line (the host restarts its server with a new pool and router): wait
 * (bounded, 200 s: a renewal comes after about 60 s, networkd's NAK handling waits for the rebind)
 * for the balance and the rule to follow, then print when, and check again.
 */
function renumberShell(r: NonNullable<LabPlan['renumber']>, table: number): string {
  const addr = r.address.split('/')[0] as string;
  return `t4=$(up); mark renumber ${r.line}
i=0; while ! { ip -o route show table ${table} | grep -q 'via ${r.gateway} dev ${r.dev} ' && ip -4 rule show | grep -q 'from ${addr} lookup '; } && [ $i -lt 2000 ]; do sleep 0.1; i=$((i + 1)); done
t5=$(up)
ip -o route show table ${table} | grep -q 'via ${r.gateway} dev ${r.dev} ' && ip -4 rule show | grep -q 'from ${addr} lookup ' && rok=1 || rok=0
sec renumber; printf 'start=%s\nfollowed=%s\nok=%s\n' "$t4" "$t5" "$rok"; ip -4 -o addr show dev ${r.dev}; ip -4 rule show; ip route show table ${table}; end renumber
chk check-renumbered`;
}

/** MPGEN_BOOTLAB_TRACE=1: conntrack destroy events and address/route/rule/link events, printed at the end */
const TRACE_START = `conntrack -E -e NEW,DESTROY -o timestamp,mark >/run/mpgen-lab/trace-ct 2>&1 &
ip -ts monitor address route rule link >/run/mpgen-lab/trace-ip 2>&1 &
sleep 0.5`;
const TRACE_END = `sec trace-ct; cat /run/mpgen-lab/trace-ct; end trace-ct
sec trace-ip; cat /run/mpgen-lab/trace-ip; end trace-ip`;

export interface StepEvent {
  step: 'kill' | 'restore' | 'renumber';
  line: number;
  /** host ms since the driver was made */
  atMs: number;
  error?: string;
}

/** Acts on ===MPGEN-STEP kill N=== / restore N=== as they appear on the console. */
export function stepDriver(lab: Lab, renumberTo?: { address: string; gateway: string }): { onConsole: (chunk: string) => void; events: StepEvent[] } {
  const t0 = Date.now();
  const events: StepEvent[] = [];
  let buf = '';
  let seen = 0;
  return {
    events,
    onConsole(chunk: string) {
      buf += chunk;
      const all = [...stripJournalPrefix(buf).matchAll(/===MPGEN-STEP (kill|restore|renumber) (\d+)===/g)];
      for (; seen < all.length; seen++) {
        const m = all[seen] as RegExpMatchArray;
        const ev: StepEvent = { step: m[1] as StepEvent['step'], line: Number(m[2]), atMs: Date.now() - t0 };
        try {
          if (ev.step === 'kill') lab.killLine(ev.line);
          else if (ev.step === 'renumber') {
            if (!renumberTo) throw new Error('renumber step without a new lease');
            lab.renumberDhcp(ev.line, renumberTo);
          } else lab.restoreLine(ev.line);
        } catch (e) {
          ev.error = (e as Error).message;
        }
        events.push(ev);
      }
    },
  };
}

/** key=value lines into a record */
export function kv(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** tx section ("dev=before dev=after" per line) into per-device deltas */
export function txDeltas(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\S+)=(\d+) \S+=(\d+)$/.exec(line.trim());
    if (m) out[m[1] as string] = Number(m[3]) - Number(m[2]);
  }
  return out;
}

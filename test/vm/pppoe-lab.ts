/**
 * The PPPoE boot lab's guest side (docs/boot-lab.md, "PPPoE lines"). The host kernel has no PPP,
 * so the ISP runs inside the Debian guest:
 *
 *   root namespace (the box)               namespace isp (the ISP)
 *   dsl0 (the profile's interface) ─veth─ isp0: pppoe-server -k (kernel mode, rp-pppoe.so),
 *   ppp0 (the client's pppd)                    pppd per session: local 198.51.100.1,
 *                                               pool 198.51.100.10.. (198.51.100.20.. after
 *                                               the renumbering); 203.0.113.77/32 on lo
 *
 * mpgen-lab-isp.service creates it before network-pre.target, so the backend's own start brings
 * the session up. `ip netns exec isp` bind-mounts /etc/netns/isp/ppp over /etc/ppp: the server's
 * options and secrets never meet the client's /etc/ppp. A lab hook in the client's ip-up.d and
 * ip-down.d logs every session (guest uptime, address) to /run/mpgen-lab/ppp-events.
 * Only documentation addresses; the secret is never on a command line.
 */
import { GUEST_CLI, GUEST_NODE, GUEST_PROFILE } from './boot-lab.js';

export const PPP_USER = 'lab@isp.example';
/** the lab's password: in the image's secret file and the ISP's chap-secrets, never on a command line */
export const PPP_PASSWORD = 'lab-dsl-Wq7Zt3pKx9';
export const SECRET_FILE = '/etc/mpgen/secrets/lab-dsl';
export const ISP_LOCAL = '198.51.100.1';
export const POOL1 = '198.51.100.10';
export const POOL2 = '198.51.100.20';
export const ISP_TARGET = '203.0.113.77';

export interface PppPlan {
  /** the Ethernet of the session (the profile's interface) and the PPP device */
  ether: string;
  device: string;
  /** the table holding the multipath route, and the PPPoE uplink's own table */
  table: number;
  uplinkTable: number;
  keepaliveUnit: string;
  /** words whose journal lines are printed besides pppd's (the backend's units, e.g. networking) */
  journalUnits: string[];
}

const ISP_SCRIPT = `#!/bin/sh
# mpgen boot lab: the ISP of the PPPoE line, in network namespace isp.
#   setup: the namespace, the veth (dsl0 here, isp0 there), the target, the server (pool 1)
#   down: the line dies behind a live Ethernet (dsl0 keeps its carrier): isp0 drops every frame
#         both ways, so no answer to LCP echoes, no PADO
#   renumber: the ISP restarts its server with another pool, then the line comes back
# (Debian's pppoe-server has no kernel mode, -k: the server side runs the pppoe relay over a pty;
# the client is the box's pppd with the kernel plugin, rp-pppoe.so.)
set -u
POOL=${POOL1}
server() {
  ip netns exec isp pppoe-server -I isp0 -C labisp -L ${ISP_LOCAL} -R "$1" -N 4 -O /etc/ppp/pppoe-server-options
}
case \${1-} in
setup)
  modprobe -q ppp_generic; modprobe -q pppoe
  ip netns add isp
  ip link add dsl0 type veth peer name isp0 netns isp
  ip -n isp link set lo up
  ip -n isp addr add ${ISP_TARGET}/32 dev lo
  ip -n isp link set isp0 up
  server ${POOL1}
  ;;
down)
  ip netns exec isp nft -f - <<'EOF'
table netdev mpgenlab_dead {
  chain in { type filter hook ingress device "isp0" priority 0; policy drop; }
  chain out { type filter hook egress device "isp0" priority 0; policy drop; }
}
EOF
  ;;
renumber)
  # the old server and its session daemons go (only processes of namespace isp)
  for p in $(ip netns pids isp); do kill "$p" 2>/dev/null; done
  i=0; while [ -n "$(ip netns pids isp)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  for p in $(ip netns pids isp); do kill -9 "$p" 2>/dev/null; done
  server ${POOL2}
  ip netns exec isp nft delete table netdev mpgenlab_dead
  ;;
*) echo "usage: $0 setup|down|renumber" >&2; exit 2 ;;
esac
`;

const ISP_UNIT = `[Unit]
Description=mpgen boot lab: the PPPoE ISP in namespace isp (dsl0 <-> isp0)
DefaultDependencies=no
After=local-fs.target systemd-modules-load.service systemd-tmpfiles-setup-dev.service
Before=network-pre.target
Wants=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/mpgen-lab-isp setup

[Install]
WantedBy=sysinit.target
`;

/** The server's pppd: CHAP required, its own LCP echoes, no routes of its own but the session's. */
const SERVER_OPTIONS = `# mpgen boot lab: the ISP's pppd (one per session, started by pppoe-server)
name labisp
require-chap
lcp-echo-interval 2
lcp-echo-failure 3
nodefaultroute
noipdefault
mtu 1492
mru 1492
`;

const LAB_HOOK = (what: 'up' | 'down') => `#!/bin/sh
# mpgen boot lab: log the client's sessions (guest uptime, device, local and remote address)
mkdir -p /run/mpgen-lab
echo "${what} $(cut -d' ' -f1 /proc/uptime) $1 $4 $5 \${6-}" >>/run/mpgen-lab/ppp-events
`;

/** Files of the image: the ISP, its secrets, the client's password file, the lab's session log hooks. */
export function pppLabFiles(): Record<string, { content: string; mode?: number }> {
  return {
    '/usr/local/sbin/mpgen-lab-isp': { content: ISP_SCRIPT, mode: 0o755 },
    '/etc/systemd/system/mpgen-lab-isp.service': { content: ISP_UNIT },
    '/etc/netns/isp/ppp/options': { content: '# mpgen boot lab: the ISP reads pppoe-server-options\n' },
    '/etc/netns/isp/ppp/pppoe-server-options': { content: SERVER_OPTIONS },
    '/etc/netns/isp/ppp/chap-secrets': { content: `"${PPP_USER}" * "${PPP_PASSWORD}" *\n`, mode: 0o600 },
    '/etc/netns/isp/ppp/pap-secrets': { content: `"${PPP_USER}" * "${PPP_PASSWORD}" *\n`, mode: 0o600 },
    // what the admin writes on the box (the package must not carry it): the password alone
    [SECRET_FILE]: { content: `${PPP_PASSWORD}\n`, mode: 0o600 },
    '/etc/ppp/ip-up.d/zz-mpgen-lab': { content: LAB_HOOK('up'), mode: 0o755 },
    '/etc/ppp/ip-down.d/zz-mpgen-lab': { content: LAB_HOOK('down'), mode: 0o755 },
  };
}

export const PPP_LAB_UNITS = ['mpgen-lab-isp.service'];

/**
 * The result unit's user script for a PPPoE case. Sections: balanced, check-boot, check-last-fail,
 * unit, the state sections at the moment the check passed, session (the PPP device, its routes,
 * rules, route get), traffic (ping from the session's address to the ISP's target, ppp0 tx
 * delta), failover (uptimes of kill/out/restore/back, the addresses), check-out, check-back,
 * events (the lab hook's log), secret (password hits in ps and the journal), pppd (journal).
 */
export function pppGuestScript(p: PppPlan): string {
  const chk = `${GUEST_NODE} ${GUEST_CLI} check -p ${GUEST_PROFILE} --json 2>/dev/null`;
  return `
up() { cut -d' ' -f1 /proc/uptime; }
sec() { echo "===MPGEN-BEGIN $1==="; }
end() { echo "===MPGEN-END $1==="; }
chk() { sec "$1"; ${chk}; end "$1"; }
addr() { ip -4 -o addr show dev ${p.device} 2>/dev/null | sed -n 's/.* inet \\([0-9.]*\\)[ /].*/\\1/p' | head -n 1; }
inroute() { ip route show table ${p.table} | grep -q 'dev ${p.device} '; }
ruled() { ip -N -4 rule show | grep -q "from $1 lookup ${p.uplinkTable}"; }
# a line on the console every 10 s of a long wait (the lab's hang detector wants output)
tick() { [ $(($1 % 100)) -eq 99 ] && echo "waiting $2 ($1)"; true; }
tx() { cat /sys/class/net/${p.device}/statistics/tx_packets 2>/dev/null || echo 0; }
session() { # name: the PPP device and what follows it
  a=$(addr)
  sec "$1"
  echo "address=$a"
  ip -4 -o addr show dev ${p.device}
  echo "--- table ${p.table}"; ip route show table ${p.table}
  echo "--- table ${p.uplinkTable}"; ip route show table ${p.uplinkTable}
  echo "--- main default"; ip route show table main default
  echo "--- rules"; ip -N -4 rule show
  [ -n "$a" ] && { echo "--- get"; ip route get ${ISP_TARGET} from "$a"; }
  end "$1"
}
# wait (bounded) for the early-boot check loop
i=0; while [ ! -e /run/mpgen-lab/balanced.done ] && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
sec balanced; cat /run/mpgen-lab/balanced 2>&1; end balanced
sec check-boot; cat /run/mpgen-lab/check.json 2>&1; end check-boot
sec check-last-fail; cat /run/mpgen-lab/check-last-fail.json 2>/dev/null; end check-last-fail
cat /run/mpgen-lab/state 2>/dev/null
sec unit; systemctl is-active ${p.keepaliveUnit}; end unit
session session-boot
# traffic from the session's address to the ISP's target: by ppp0, answered through the session
a1=$(addr); t=$(tx)
sec traffic; ping -n -q -c 5 -i 0.2 -W 2 -I "$a1" ${ISP_TARGET} 2>&1; echo "rc=$?"; echo "tx=$(( $(tx) - t ))"; end traffic
# the line dies (the ISP's side goes down): pppd's LCP echoes end the session, the keepalive takes it out
t0=$(up); /usr/local/sbin/mpgen-lab-isp down
i=0; while inroute && [ $i -lt 600 ]; do tick $i out; sleep 0.1; i=$((i + 1)); done
t1=$(up); inroute && gone=0 || gone=1
i=0; while [ -n "$(addr)" ] && [ $i -lt 300 ]; do tick $i noaddr; sleep 0.1; i=$((i + 1)); done
t1b=$(up)
i=0; while ruled "$a1" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
session session-out
chk check-out
# the ISP comes back with another pool: pppd (persist) dials again, the rule and the balance follow
t2=$(up); /usr/local/sbin/mpgen-lab-isp renumber
i=0; while ! { inroute && [ -n "$(addr)" ] && ruled "$(addr)"; } && [ $i -lt 1200 ]; do tick $i back; sleep 0.1; i=$((i + 1)); done
t3=$(up); a2=$(addr); inroute && [ -n "$a2" ] && ruled "$a2" && back=1 || back=0
# not back: what the stack said meanwhile, before anything else can hang
[ "$back" = 1 ] || { sec notback; journalctl -b --no-pager -o short-monotonic 2>&1 | grep -E 'pppd|pppoe|NetworkManager|networkd|ifup' | tail -n 60; end notback; }
i=0; while ruled "$a1" && [ "$a1" != "$a2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
session session-back
t=$(tx)
sec traffic-back; ping -n -q -c 5 -i 0.2 -W 2 -I "$a2" ${ISP_TARGET} 2>&1; echo "rc=$?"; echo "tx=$(( $(tx) - t ))"; end traffic-back
# the keepalive probes again before it counts the line healthy: wait (bounded) for its status
i=0; while grep -q '^uplink [^ ]* down' /run/mpgen/*.status 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
chk check-back
sec failover; printf 'kill=%s\\nout=%s\\ngone=%s\\nnoaddr=%s\\nrestore=%s\\nrejoined=%s\\nback=%s\\nfirst=%s\\nsecond=%s\\n' "$t0" "$t1" "$gone" "$t1b" "$t2" "$t3" "$back" "$a1" "$a2"; end failover
sec events; cat /run/mpgen-lab/ppp-events 2>&1; end events
# the secret: never on a command line, never in the journal (grep reads it from the file: -f)
sec secret
echo "ps=$(ps -eo args | grep -c -F -f ${SECRET_FILE})"
echo "journal=$(journalctl -b --no-pager -o cat 2>/dev/null | grep -c -F -f ${SECRET_FILE})"
echo "procs=$(ps -eo args | grep -c '[p]ppd')"
end secret
sec pppd; journalctl -b --no-pager -o short-monotonic 2>&1 | grep -E 'pppd|pppoe|${p.journalUnits.join('|')}' | tail -n 80; end pppd
sec firewall; systemctl status --no-pager 'mpgen-firewall-*' 2>&1 | tail -n 30; end firewall
sec journal; journalctl -b -u '${p.keepaliveUnit}' --no-pager -o short-monotonic 2>&1 | tail -n 40; end journal
true
`;
}

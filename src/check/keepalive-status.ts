/**
 * Reads the keepalive's status file (/run/mpgen/NAME.status).
 *
 * The keepalive daemon writes it; until its format is pinned in
 * src/keepalive/sh, this reader accepts the shapes a small daemon would
 * naturally write, so `mpgen check` and the daemon can evolve separately:
 *
 *   JSON:  {"pid": 123, "uplinks": {"adsl1": "up", "adsl2": {"state": "down"}}}
 *          {"pid": 123, "uplinks": [{"name": "adsl1", "state": "up"}, ...]}
 *   text:  pid=123            (or "pid 123")
 *          adsl1=up           (or "adsl1 up", "uplink adsl1 down", "adsl1 down loss=100% rtt=-")
 *
 * Uplinks may be named by uplink name or by interface name. Anything else
 * on a line is ignored, but for what the keepalive's own lines say besides
 * up or down (src/keepalive/sh/50-lifecycle.sh):
 *
 *   uplink NAME up dev=IF active=yes ... tier=1   (active: in the balance)
 *   policy NAME UPLINK|balance|reject             (where the policy sends new connections)
 */

export type LineState = 'up' | 'down';

export interface KeepaliveStatus {
  pid?: number;
  /** keyed by whatever the file used: uplink name or interface */
  lines: Record<string, LineState>;
  /** in the balance (`active=yes`), keyed by uplink name and by interface; absent when the file does not say */
  active: Record<string, boolean>;
  /** `tier=N`, keyed like `active` */
  tiers: Record<string, number>;
  /** policy name → its current target: an uplink name, "balance" or "reject" */
  policies: Record<string, string>;
}

const empty = (): KeepaliveStatus => ({ lines: {}, active: {}, tiers: {}, policies: {} });

function yesNo(v: unknown): boolean | undefined {
  if (v === true || v === 'yes' || v === '1' || v === 'true') return true;
  if (v === false || v === 'no' || v === '0' || v === 'false') return false;
  return undefined;
}

function asState(v: unknown): LineState | undefined {
  const s = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).state : v;
  if (typeof s !== 'string') return undefined;
  const t = s.toLowerCase();
  if (t === 'up' || t === 'alive' || t === 'active') return 'up';
  if (t === 'down' || t === 'dead' || t === 'failed') return 'down';
  return undefined;
}

function fromJson(j: unknown): KeepaliveStatus | undefined {
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return undefined;
  const o = j as Record<string, unknown>;
  const out = empty();
  if (typeof o.pid === 'number' && Number.isInteger(o.pid)) out.pid = o.pid;
  const ups = o.uplinks ?? o.lines;
  if (Array.isArray(ups)) {
    for (const u of ups) {
      if (typeof u !== 'object' || u === null) continue;
      const r = u as Record<string, unknown>;
      const st = asState(r);
      if (!st) continue;
      for (const k of [r.name, r.interface]) {
        if (typeof k !== 'string') continue;
        out.lines[k] = st;
        const a = yesNo(r.active);
        if (a !== undefined) out.active[k] = a;
        if (typeof r.tier === 'number') out.tiers[k] = r.tier;
      }
    }
  } else if (typeof ups === 'object' && ups !== null) {
    for (const [k, v] of Object.entries(ups)) {
      const st = asState(v);
      if (st) out.lines[k] = st;
      if (st && typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).interface === 'string') {
        out.lines[(v as Record<string, string>).interface as string] = st;
      }
    }
  }
  return out;
}

export function parseKeepaliveStatus(text: string): KeepaliveStatus {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const j = fromJson(JSON.parse(trimmed));
      if (j) return j;
    } catch {
      // not JSON after all: fall through to the line format
    }
  }
  const out = empty();
  for (const raw of trimmed.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const pid = /^pid[=:\s]\s*(\d+)\b/i.exec(line);
    if (pid) {
      out.pid = Number(pid[1]);
      continue;
    }
    const policy = /^policy\s+(\S+)\s+(\S+)/.exec(line);
    if (policy) {
      out.policies[policy[1] as string] = policy[2] as string;
      continue;
    }
    const uplink = /^uplink\s+(\S+)\s+\S+(.*)$/.exec(line);
    if (uplink) {
      const kv = Object.fromEntries([...(uplink[2] as string).matchAll(/(\w+)=(\S*)/g)].map((x) => [x[1], x[2]]));
      for (const k of [uplink[1] as string, kv.dev].filter((x): x is string => typeof x === 'string' && x !== '')) {
        const a = yesNo(kv.active);
        if (a !== undefined) out.active[k] = a;
        if (kv.tier !== undefined && /^\d+$/.test(kv.tier)) out.tiers[k] = Number(kv.tier);
      }
    }
    const m = /^(?:uplink[.\s]+)?([A-Za-z0-9_.-]{1,15})\s*[=:\s]\s*(?:state=)?([A-Za-z]+)\b/.exec(line);
    if (m) {
      const st = asState(m[2]);
      if (st) out.lines[m[1] as string] = st;
    }
  }
  return out;
}

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
 * on a line is ignored.
 */

export type LineState = 'up' | 'down';

export interface KeepaliveStatus {
  pid?: number;
  /** keyed by whatever the file used: uplink name or interface */
  lines: Record<string, LineState>;
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
  const out: KeepaliveStatus = { lines: {} };
  if (typeof o.pid === 'number' && Number.isInteger(o.pid)) out.pid = o.pid;
  const ups = o.uplinks ?? o.lines;
  if (Array.isArray(ups)) {
    for (const u of ups) {
      if (typeof u !== 'object' || u === null) continue;
      const r = u as Record<string, unknown>;
      const st = asState(r);
      if (!st) continue;
      if (typeof r.name === 'string') out.lines[r.name] = st;
      if (typeof r.interface === 'string') out.lines[r.interface] = st;
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
  const out: KeepaliveStatus = { lines: {} };
  for (const raw of trimmed.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const pid = /^pid[=:\s]\s*(\d+)\b/i.exec(line);
    if (pid) {
      out.pid = Number(pid[1]);
      continue;
    }
    const m = /^(?:uplink[.\s]+)?([A-Za-z0-9_.-]{1,15})\s*[=:\s]\s*(?:state=)?([A-Za-z]+)\b/.exec(line);
    if (m) {
      const st = asState(m[2]);
      if (st) out.lines[m[1] as string] = st;
    }
  }
  return out;
}

/** One line of `mpgen check`. */
export type CheckArea = 'lease' | 'interface' | 'teql' | 'rule' | 'table' | 'multipath' | 'sysctl' | 'keepalive' | 'config';

export interface CheckResult {
  ok: boolean;
  area: CheckArea;
  /** what was checked, e.g. "rule 201 from 192.0.2.0/30 lookup 201" */
  what: string;
  /** set on FAIL */
  expected?: string;
  /** set on FAIL */
  found?: string;
  /** extra words on an ok line, e.g. "eth2 taken out by the keepalive (down)" */
  note?: string;
}

export function pass(area: CheckArea, what: string, note?: string): CheckResult {
  return note === undefined ? { ok: true, area, what } : { ok: true, area, what, note };
}

export function fail(area: CheckArea, what: string, expected: string, found: string): CheckResult {
  return { ok: false, area, what, expected, found };
}

/** `ok   <what>` or `FAIL <what>: expected X, found Y`, one line per check. */
export function formatResult(r: CheckResult): string {
  if (r.ok) return `ok   ${r.what}${r.note ? ` (${r.note})` : ''}`;
  return `FAIL ${r.what}: expected ${r.expected}, found ${r.found}`;
}

export function formatResults(rs: CheckResult[]): string {
  return rs.map((r) => `${formatResult(r)}\n`).join('');
}

export function allPassed(rs: CheckResult[]): boolean {
  return rs.every((r) => r.ok);
}

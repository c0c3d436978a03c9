/**
 * Labs send traffic only to documentation addresses. The keepalive probes what its configuration
 * lists (PROBE and FAR per uplink; the default far targets are public resolvers): every lab calls
 * this on the configuration it is about to run, so a profile that forgot keepalive.targets fails
 * before a single probe leaves.
 */
import ipaddr from 'ipaddr.js';

const DOC = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'].map((c) => ipaddr.IPv4.parseCIDR(c));

export const isDocumentation = (a: string): boolean => {
  const ip = ipaddr.IPv4.parse(a);
  return DOC.some((c) => ip.match(c));
};

/** Throws unless every probe and far target of a keepalive configuration is a documentation address. */
export function assertLabTargets(conf: string): void {
  const bad: string[] = [];
  for (const m of conf.matchAll(/^UPLINK_\d+_(?:PROBE|FAR)=(.*)$/gm))
    for (const a of (m[1] ?? '').split(' ').filter(Boolean)) if (!isDocumentation(a)) bad.push(a);
  if (bad.length > 0) throw new Error(`lab keepalive would probe ${bad.join(', ')}: labs probe documentation addresses only (set keepalive.targets or probe)`);
}

/** The same for a model (the boot lab builds its packages from profiles). */
export function assertModelTargets(m: { uplinks: Array<{ probe: string[]; far: string[] }> }): void {
  assertLabTargets(m.uplinks.map((u, i) => `UPLINK_${i + 1}_PROBE=${u.probe.join(' ')}\nUPLINK_${i + 1}_FAR=${u.far.join(' ')}`).join('\n'));
}

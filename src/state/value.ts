/**
 * Addresses in the kernel state: known when mpgen renders (a static uplink's
 * address and gateway), or only at run time (a DHCP lease's address and
 * router, a PPP link's peer). Every uplink is static today, so only literals
 * are produced; a dynamic uplink adds its own kind here, and a backend that
 * can only write literals finds out through `literal()`, the one accessor.
 */

export type Addr =
  | { kind: 'literal'; address: string }
  /** what a DHCP client on the uplink's interface has leased */
  | { kind: 'lease'; uplink: string; field: 'address' | 'gateway' }
  /** the far end of a point-to-point (PPP) uplink */
  | { kind: 'peer'; uplink: string };

export const lit = (address: string): Addr => ({ kind: 'literal', address });

export class RuntimeValueError extends Error {}

/** The address as text, for formats that can hold only literals. */
export function literal(a: Addr): string {
  if (a.kind === 'literal') return a.address;
  const what = a.kind === 'lease' ? `the ${a.field} leased on ${a.uplink}` : `the peer of ${a.uplink}`;
  throw new RuntimeValueError(`${what} is known only at run time; this format cannot hold it`);
}

/** The literal text, or undefined for an absent address. */
export const literalOpt = (a: Addr | undefined): string | undefined => (a === undefined ? undefined : literal(a));

/** An address with a prefix length: `ADDR/P`. */
export interface Prefixed {
  addr: Addr;
  prefix: number;
}

export const cidrText = (p: Prefixed): string => `${literal(p.addr)}/${p.prefix}`;

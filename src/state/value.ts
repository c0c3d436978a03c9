/**
 * Addresses in the kernel state: known when mpgen renders (a static uplink's
 * address and gateway), or only at run time (a DHCP lease's address and
 * router, a PPP link's peer). A backend that can only write literals leaves
 * runtime values to the keepalive, which follows the lease (`isRuntime()`);
 * `literal()`, the one accessor, refuses them.
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

/** True for a value known only at run time (a lease, a PPP session). */
export const isRuntime = (a: Addr | undefined): boolean => a !== undefined && a.kind !== 'literal';

/** The literal text, or undefined for an absent address. */
export const literalOpt = (a: Addr | undefined): string | undefined => (a === undefined ? undefined : literal(a));

/** An address with a prefix length: `ADDR/P`. */
export interface Prefixed {
  addr: Addr;
  prefix: number;
}

export const cidrText = (p: Prefixed): string => `${literal(p.addr)}/${p.prefix}`;

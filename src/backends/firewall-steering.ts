/**
 * Connection steering in netfilter, from ctx.state.marks and ctx.state.steering only: the views of
 * the nftables and iptables templates (docs/kernel-state.md, "Steering in netfilter").
 *
 * - prerouting and output (type route, so a changed mark re-routes a local packet): a connection
 *   whose ct mark holds our bits gives its packets that mark (nft copies the whole mark, it cannot
 *   merge two registers; iptables restores only the mask);
 * - a new connection arriving on uplink X gets X's mark, so its answers leave by X (with or without
 *   pin_flows: an inbound connection cannot move to another line, its address is X's), and no
 *   policy touches it;
 * - a new connection still without our bits that matches a policy goes to the policy's chain
 *   (goto: the first match wins), which holds the mark of the policy's current uplink, the reject
 *   mark, or nothing (balance); the loader's `policy` command rewrites that chain;
 * - postrouting: a packet of a marked connection about to leave by another uplink is dropped (a
 *   network daemon that re-installs the uplink's table or rule leaves a moment without them, and
 *   one packet sent by the wrong line with masquerade ends the connection; a dropped one is sent
 *   again); with pin_flows, a new connection still without our bits gets the mark of the uplink
 *   the multipath route chose, so later packets keep that uplink when the route changes.
 */
import type { PortRange } from '../model/model.js';
import type { KernelState, PolicyState } from '../state/state.js';

const hex = (n: number): string => `0x${n.toString(16)}`;
/** The bits outside ours, kept when our bits are set. */
const keepMask = (mask: number): number => ~mask >>> 0;

export interface SteerView {
  mask: string;
  keep: string;
  rejectMark: string;
  pin: boolean;
  /** uplink interfaces with their marks, in uplink order, and the other uplinks' interfaces */
  marks: { interface: string; mark: string; others: string[]; othersNft: string }[];
  /** policies in order: the chain, the match rules that send to it, and its initial marking */
  policies: { name: string; chain: string; matches: string[]; mark: string }[];
  reject: boolean;
}

/** The mark of a policy's first listed uplink: the rendered file's initial content. */
function initialMark(s: KernelState, p: PolicyState): string {
  const m = s.marks.find((x) => x.uplink === p.uplinks[0]);
  if (!m) throw new Error(`policy ${p.name}: no mark for uplink ${String(p.uplinks[0])}`);
  return hex(m.mark);
}

function base(s: KernelState): Omit<SteerView, 'policies'> {
  const { mask, rejectMark, pinFlows } = s.steering;
  return {
    mask: hex(mask),
    keep: hex(keepMask(mask)),
    rejectMark: hex(rejectMark),
    pin: pinFlows,
    marks: s.marks.map((m) => {
      const others = s.marks.filter((o) => o.interface !== m.interface).map((o) => o.interface);
      const quoted = others.map((i) => `"${i}"`);
      return { interface: m.interface, mark: hex(m.mark), others, othersNft: quoted.length === 1 ? quoted[0]! : `{ ${quoted.join(', ')} }` };
    }),
    reject: s.steering.policies.length > 0,
  };
}

const nftPorts = (r: PortRange[]): string => {
  const items = r.map((x) => (x.from === x.to ? String(x.from) : `${x.from}-${x.to}`));
  return items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`;
};
const nftSet = (xs: string[]): string => (xs.length === 1 ? xs[0]! : `{ ${xs.join(', ')} }`);

function nftMatch(p: PolicyState): string {
  const out: string[] = [];
  if (p.protocol && p.sport.length === 0 && p.dport.length === 0) out.push(`meta l4proto ${p.protocol}`);
  if (p.sport.length > 0) out.push(`${p.protocol!} sport ${nftPorts(p.sport)}`);
  if (p.dport.length > 0) out.push(`${p.protocol!} dport ${nftPorts(p.dport)}`);
  if (p.src.length > 0) out.push(`ip saddr ${nftSet(p.src)}`);
  if (p.dst.length > 0) out.push(`ip daddr ${nftSet(p.dst)}`);
  return out.join(' ');
}

export function nftSteering(s: KernelState): SteerView | undefined {
  if (s.marks.length === 0) return undefined;
  const policies = s.steering.policies.map((p, i) => {
    const chain = s.names.nft.policies[i]!;
    const match = nftMatch(p);
    return { name: p.name, chain, matches: [match ? `${match} goto ${chain}` : `goto ${chain}`], mark: initialMark(s, p) };
  });
  return { ...base(s), policies };
}

/** multiport takes at most 15 ports, a range counting twice: longer lists become several rules. */
function multiportChunks(r: PortRange[]): string[] {
  const chunks: string[][] = [];
  let cur: string[] = [];
  let weight = 0;
  for (const x of r) {
    const w = x.from === x.to ? 1 : 2;
    if (weight + w > 15) {
      chunks.push(cur);
      cur = [];
      weight = 0;
    }
    cur.push(x.from === x.to ? String(x.from) : `${x.from}:${x.to}`);
    weight += w;
  }
  if (cur.length > 0) chunks.push(cur);
  return chunks.map((c) => c.join(','));
}

/** iptables match words of a policy: one string per rule (port lists too long for multiport split). */
function iptMatches(p: PolicyState): string[] {
  const proto = p.protocol ? [`-p ${p.protocol}`] : [''];
  const sports = p.sport.length > 0 ? multiportChunks(p.sport).map((c) => `-m multiport --sports ${c}`) : [''];
  const dports = p.dport.length > 0 ? multiportChunks(p.dport).map((c) => `-m multiport --dports ${c}`) : [''];
  // iptables expands a comma list of -s / -d into one rule per address.
  const src = p.src.length > 0 ? `-s ${p.src.join(',')}` : '';
  const dst = p.dst.length > 0 ? `-d ${p.dst.join(',')}` : '';
  const out: string[] = [];
  for (const pr of proto) for (const sp of sports) for (const dp of dports) out.push([pr, sp, dp, src, dst].filter((w) => w !== '').join(' '));
  return out;
}

export function iptSteering(s: KernelState): SteerView | undefined {
  if (s.marks.length === 0) return undefined;
  const policies = s.steering.policies.map((p, i) => {
    const chain = s.names.iptables.policies[i]!;
    return { name: p.name, chain, matches: iptMatches(p).map((m) => (m ? `${m} -g ${chain}` : `-g ${chain}`)), mark: initialMark(s, p) };
  });
  return { ...base(s), policies };
}

/**
 * PPPoE on the ifcfg backend: initscripts' ifup-ppp (package network-scripts-ppp on RHEL 8, ppp on
 * RHEL 7) brings up an `ifcfg-pppN` with TYPE=xDSL by running rp-pppoe's pppoe-start (adsl-start
 * on older releases), which sources that same file as its CONFIG and runs pppd. The keys are the
 * ones rp-pppoe's RedHat packaging writes into ifcfg-xDSL (Fedora rp-pppoe.spec, %triggerin: DEVICE
 * ONBOOT PEERDNS DEFROUTE TYPE ETH USER DEMAND CONNECT_TIMEOUT CONNECT_POLL SYNCHRONOUS CLAMPMSS
 * LCP_INTERVAL LCP_FAILURE PPPOE_TIMEOUT PIDFILE SERVICENAME ...), less PASS: the password stays in
 * its own 0600 file, named by the secrets helper's chap-/pap-secrets lines. pppoe-connect appends
 * $PPPD_EXTRA to pppd's options (rp-pppoe scripts/pppoe-connect, PPP_STD_OPTIONS).
 *
 * What follows the session is installed by the hooks mpgen already renders: ifup-pre-local runs the
 * secrets helper for ifcfg-pppN, and ifup-local routes the session in its table: RedHat's
 * /etc/ppp/ip-up runs `ifup-post --realdevice $1 ifcfg-$6` ($6: the ipparam, hence `ipparam pppN`),
 * and ifup-post runs ifup-routes and `/sbin/ifup-local ${DEVICE}` (initscripts network-scripts/ifup-post). The fixed part
 * (prohibit fallback, fwmark rule) lives with the Ethernet's route- and rule- files.
 */
import type { Uplink } from '../model/model.js';
import { rpFilterOf } from '../state/query.js';
import type { KernelState, PppSession } from '../state/state.js';
import type { Contribution, RenderContext } from './backend.js';
import { peerPath, pppFiles, secretsHelperPath, sessionDestinations } from './ppp.js';
import type { Var, VarsFileView } from './ifcfg.js';

export interface PppHookView {
  device: string;
  config: string;
  table: number;
  dests: string[];
  rpFilter: 0 | 1 | 2;
  helper: string;
}

export const sessionOf = (s: KernelState, u: Uplink): PppSession => {
  const p = s.sessions.find((x) => x.uplink === u.name);
  if (!p) throw new Error(`internal error: no PPP session for uplink ${u.name}`);
  return p;
};

/** Single quotes for a value the scripts source. */
const sq = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;

/** ifcfg-ETH of a PPPoE uplink: up at boot, no address of its own. */
export function pppoeEthernetIfcfg(state: KernelState, u: Uplink, m: string): VarsFileView {
  const p = sessionOf(state, u);
  const vars: Var[] = [
    { key: 'DEVICE', value: u.interface },
    { key: 'NAME', value: state.names.uplinkConnection.get(u.name)! },
    { key: 'ONBOOT', value: 'yes' },
    { key: 'BOOTPROTO', value: 'none' },
  ];
  if (u.mac) vars.push({ key: 'HWADDR', value: u.mac });
  vars.push({ key: 'DEFROUTE', value: 'no' }, { key: 'NM_CONTROLLED', value: 'no' }, { key: 'NOZEROCONF', value: 'yes' });
  return {
    marker: m,
    comments: [`uplink ${u.name}: the Ethernet of its PPPoE session ${p.device} (ifcfg-${p.device}), no address; table ${u.table}, rule priority ${u.rulePriority}`],
    vars,
  };
}

/** ifcfg-pppN, TYPE=xDSL: sourced by ifup-ppp and by pppoe-connect (CONFIG). No password here. */
export function pppoeSessionIfcfg(state: KernelState, u: Uplink, m: string): VarsFileView {
  const p = sessionOf(state, u);
  // pppd options pppoe-connect has no key for: the unit (pppN), the secrets lines' server field,
  // and the ipparam RedHat's /etc/ppp/ip-up hands to ifup-post as ifcfg-$6
  // (pppoe-connect redials itself with PERSIST=yes: no persist, holdoff or maxfail here)
  const extra = ['unit', String(p.unit), 'remotename', p.peer, 'ipparam', p.device];
  const vars: Var[] = [
    { key: 'DEVICE', value: p.device },
    { key: 'NAME', value: `${state.names.uplinkConnection.get(u.name)!}-ppp` },
    { key: 'TYPE', value: 'xDSL' },
    { key: 'ETH', value: p.parent },
    { key: 'USER', value: sq(p.username) },
    { key: 'ONBOOT', value: 'yes' },
    { key: 'BOOTPROTO', value: 'none' },
    // the session's routes are table T's (ifup-local), never main's; DNS is the site's
    { key: 'DEFROUTE', value: 'no' },
    { key: 'PEERDNS', value: 'no' },
    { key: 'PERSIST', value: 'yes' },
    { key: 'DEMAND', value: 'no' },
    { key: 'SYNCHRONOUS', value: 'no' },
    // mpgen's firewall clamps the MSS (kernel state mssClamp)
    { key: 'CLAMPMSS', value: 'no' },
    { key: 'FIREWALL', value: 'NONE' },
    { key: 'LCP_INTERVAL', value: String(p.lcpEchoInterval) },
    { key: 'LCP_FAILURE', value: String(p.lcpEchoFailure) },
    { key: 'CONNECT_TIMEOUT', value: '60' },
    { key: 'CONNECT_POLL', value: '6' },
    { key: 'PIDFILE', value: `/var/run/pppoe-${p.device}.pid` },
    { key: 'MTU', value: String(p.mtu) },
    { key: 'MRU', value: String(p.mtu) },
  ];
  if (p.service !== undefined) vars.push({ key: 'SERVICENAME', value: sq(p.service) });
  vars.push({ key: 'PPPD_EXTRA', value: sq(extra.join(' ')) }, { key: 'NM_CONTROLLED', value: 'no' });
  return {
    marker: m,
    comments: [
      `uplink ${u.name}: PPPoE over ${p.parent}, table ${p.table}; ifup-ppp runs pppoe-start with this file`,
      `the password is read from ${p.secretPath} through /etc/ppp/chap-secrets and pap-secrets (ifup-pre-local runs the secrets helper)`,
    ],
    vars,
  };
}

export function pppHookViews(ctx: Pick<RenderContext, 'state' | 'distro'>): PppHookView[] {
  const helper = secretsHelperPath(ctx as RenderContext);
  return ctx.state.sessions.map((p) => ({
    device: p.device,
    config: `ifcfg-${p.device}`,
    table: p.table,
    dests: sessionDestinations(ctx.state, p),
    rpFilter: rpFilterOf(ctx.state, p.device),
    helper,
  }));
}

/** pppFiles() less what ifup-ppp never reads: the peers file (pppoe-connect builds pppd's options
 * itself) and the ip-up.d/ip-down.d hooks (Debian's run-parts; RedHat's ip-up runs ifup-post and
 * ip-up.local). Left: the secrets helper and an inline password's 0600 file. */
export function pppoeSharedFiles(ctx: RenderContext): { files: Contribution["files"]; onRemove: string[] } {
  const c = pppFiles(ctx);
  const s = ctx.state;
  const unused = new Set([s.names.files.pppIpUp, s.names.files.pppIpDown, ...s.sessions.map((p) => peerPath(s, p))]);
  return { files: c.files.filter((f) => !unused.has(f.path)), onRemove: c.onRemove ?? [] };
}

export const pppoeNotes = (ctx: RenderContext): string[] =>
  ctx.state.sessions.flatMap((p) =>
    p.inlinePassword === undefined ? [`ifcfg: PPPoE ${p.uplink}: pppd reads the password from ${p.secretPath} on the box; mpgen does not ship it: create it there (the password alone, mode 0600)`] : [],
  );

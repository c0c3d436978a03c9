/**
 * pppd's files for the PPPoE uplinks, shared by the backends that run pppd themselves (ifupdown's
 * `inet ppp`, a unit beside networkd and netplan): the options file per session, the helper that
 * keeps the secrets files' lines, the ip-up and ip-down hooks, and an inline password's file.
 * NetworkManager runs pppd through its own plugin and writes none of these.
 */
import { FILE_MODE, planFile, type PlannedFile } from '../base/planned-file.js';
import { renderTemplate } from '../base/templates.js';
import { rpFilterOf, targetText, routesOf } from '../state/query.js';
import type { KernelState, PppSession } from '../state/state.js';
import { marker, type Contribution, type RenderContext } from './backend.js';

/** The secrets helper: the distro's libexec directory (default /usr/libexec/mpgen). */
export function secretsHelperPath(ctx: RenderContext): string {
  const dir = ctx.distro.paths?.libexec || '/usr/libexec/mpgen';
  return `${dir.replace(/\/+$/, '')}/${ctx.state.names.files.pppSecretsHelper}`;
}

/** The destinations the session routes through its device in the uplink's table, as ip(8) words. */
export const sessionDestinations = (s: KernelState, p: PppSession): string[] => routesOf(s, p.uplink, 'uplink').map(targetText);

export const peerPath = (s: KernelState, p: PppSession): string => s.names.files.pppPeer.get(p.uplink) as string;

/** pppd's files for every session of the state; nothing without one. */
export function pppFiles(ctx: RenderContext): Contribution {
  const { model: m, state: s } = ctx;
  if (s.sessions.length === 0) return { files: [] };
  const helper = secretsHelperPath(ctx);
  const mk = marker(m);
  const files: PlannedFile[] = [];
  for (const p of s.sessions) {
    // 0640: the username is no secret, but the peers directory is root:dip 2750 on Debian too
    files.push(planFile(peerPath(s, p), renderTemplate('ppp/peer', { marker: mk, name: m.name, secretsHelper: helper, ...p }), 0o640));
    // pppd reads one word from an @FILE secret (auth.c getword): quoted, a password may hold spaces
    // and #; the profile refuses " and \ in it
    if (p.inlinePassword !== undefined) files.push(planFile(p.secretPath, `"${p.inlinePassword}"\n`, FILE_MODE.secret));
  }
  const hookView = {
    marker: mk,
    name: m.name,
    sessions: s.sessions.map((p) => ({ peer: p.peer, table: p.table, dests: sessionDestinations(s, p).join(' '), rpFilter: rpFilterOf(s, p.device) })),
  };
  files.push(
    planFile(helper, renderTemplate('ppp/secrets.sh', { marker: mk, name: m.name, sessions: s.sessions }), FILE_MODE.executable),
    planFile(s.names.files.pppIpUp, renderTemplate('ppp/ip-up', hookView), FILE_MODE.executable),
    planFile(s.names.files.pppIpDown, renderTemplate('ppp/ip-down', hookView), FILE_MODE.executable),
  );
  const fileNotes = s.sessions.flatMap((p) =>
    p.inlinePassword === undefined ? [`PPPoE ${p.uplink}: pppd reads the password from ${p.secretPath} on the box; mpgen does not ship it: create it there (the password alone, mode 0600)`] : [],
  );
  return { files, depends: { deb: ['ppp'], rpm: ['ppp'] }, notes: fileNotes, onRemove: [`${helper} remove`] };
}

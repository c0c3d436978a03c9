/**
 * PPPoE uplinks on the nm backend. NetworkManager runs pppd itself (its ppp plugin) from a
 * `type=pppoe` connection on the uplink's Ethernet (pppoe.parent, NM 1.10): none of pppd's files
 * of ppp.ts. The session's IPv4 config goes, default route included, into the uplink's table at
 * metric 0 (ipv4.route-table and route-metric apply to every route NM adds for the connection;
 * never-default stays unset, which would drop the default altogether), like a DHCP uplink's;
 * the keepalive adds the `from ADDRESS` rule and the nexthop over the device. The Ethernet gets
 * an IP-less connection of its own, so that NM's automatic "Wired connection" (DHCP) stays off it.
 *
 * The password: inline, in the keyfile (0600, NM ignores a keyfile others can read). A
 * password_file is a file on the box that mpgen never reads: the keyfile ships without the
 * password in names.files.nmPppoeDir, and a oneshot unit before NetworkManager writes it, with
 * the password, into /run/NetworkManager/system-connections, one of the three directories NM's
 * keyfile plugin reads (nm-settings-keyfile(5), 1.20 and later: /etc, /usr/lib and /run).
 */
import { FILE_MODE, planFile, type PlannedFile } from '../base/planned-file.js';
import { renderTemplate } from '../base/templates.js';
import { markRules, rpFilterOf } from '../state/query.js';
import type { KernelState, PppSession } from '../state/state.js';
import { marker, type Contribution, type RenderContext } from './backend.js';
import { connectionUuid, sharedRules, uplinkRoutes, nmRule } from './nm.js';

export const SYSTEM_CONNECTIONS = '/etc/NetworkManager/system-connections';
export const RUN_CONNECTIONS = '/run/NetworkManager/system-connections';

/**
 * A GKeyFile string value: `\` doubled, blanks escaped (GKeyFile drops a value's leading
 * blanks; checked against nmcli 1.42 --offline), no newline. The helper's sed does the same.
 */
export function keyfileString(v: string): string {
  if (/[\n\r]/.test(v)) throw new Error('internal error: a keyfile value holds a line break');
  return v.replace(/\\/g, '\\\\').replace(/ /g, '\\s').replace(/\t/g, '\\t');
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

const connectionIdOf = (s: KernelState, p: PppSession): string => s.names.uplinkConnection.get(p.uplink) as string;

/** The `type=pppoe` keyfile of one session; `withPassword` false leaves the password out (the helper adds it). */
export function pppoeKeyfile(ctx: RenderContext, p: PppSession, withPassword: boolean): string {
  const { model, state, caps } = ctx;
  const id = connectionIdOf(state, p);
  const u = model.uplinks.find((x) => x.name === p.uplink)!;
  const rules = [...markRules(state, p.uplink).map(nmRule), ...sharedRules(state)].map((value, i) => ({ n: i + 1, value }));
  return renderTemplate('nm/pppoe', {
    marker: marker(model),
    comments: [
      `uplink ${p.uplink}: PPPoE on ${p.parent} as ${p.device}, table ${p.table}, rule priority ${u.rulePriority}; the keepalive adds the rule from the session's address`,
      ...(p.inlinePassword !== undefined ? [] : [`the password is added from ${p.secretPath} by ${state.names.units.nmSecrets}`]),
    ],
    id,
    uuid: connectionUuid(model.name, id),
    device: p.device,
    parent: p.parent,
    service: p.service ?? null,
    username: keyfileString(p.username),
    mtu: p.mtu,
    lcpEchoInterval: p.lcpEchoInterval,
    lcpEchoFailure: p.lcpEchoFailure,
    table: p.table,
    routes: uplinkRoutes(state, p.uplink, caps.nmProhibitRoute),
    rules,
    password: withPassword && p.inlinePassword !== undefined ? keyfileString(p.inlinePassword) : null,
  });
}

export const secretsHelperPath = (ctx: RenderContext): string => `${(ctx.distro.paths?.libexec || '/usr/libexec/mpgen').replace(/\/+$/, '')}/${ctx.state.names.files.nmSecretsHelper}`;

/** The dispatcher's commands on `up` of a session's device: its rp_filter (the device exists only while the session is up). */
export function pppoeUpCommands(state: KernelState): { dev: string; command: string }[] {
  return state.sessions.map((p) => ({ dev: p.device, command: `echo ${rpFilterOf(state, p.device)} >/proc/sys/net/ipv4/conf/${p.device}/rp_filter 2>/dev/null || :` }));
}

/** The PPPoE keyfiles, the parents' keyfiles, and for password files the helper and its unit. */
export function nmPppoe(ctx: RenderContext): Contribution {
  const { model, state } = ctx;
  if (state.sessions.length === 0) return { files: [] };
  const mk = marker(model);
  const files: PlannedFile[] = [];
  const later = state.sessions.filter((p) => p.inlinePassword === undefined);
  for (const p of state.sessions) {
    const id = connectionIdOf(state, p);
    const parentId = state.names.parentConnection.get(p.uplink)!;
    const u = model.uplinks.find((x) => x.name === p.uplink)!;
    files.push(
      planFile(
        `${SYSTEM_CONNECTIONS}/${parentId}.nmconnection`,
        renderTemplate('nm/parent', { marker: mk, uplink: p.uplink, device: p.device, id: parentId, uuid: connectionUuid(model.name, parentId), interfaceName: p.parent, mac: u.mac ?? null }),
        FILE_MODE.secret,
      ),
    );
    const dir = p.inlinePassword !== undefined ? SYSTEM_CONNECTIONS : state.names.files.nmPppoeDir;
    files.push(planFile(`${dir}/${id}.nmconnection`, pppoeKeyfile(ctx, p, true), FILE_MODE.secret));
  }
  const notes = [
    `nm: ${state.sessions.map((p) => `${p.uplink} (${p.device} on ${p.parent})`).join(', ')}: NetworkManager runs the PPPoE session (its ppp plugin) and puts its routes into the uplink's table (ipv4.route-table, metric 0), never into main; ` +
      'the parent Ethernet gets a connection without IP; the keepalive adds the rule from the session\'s address and the nexthop over the device.',
  ];
  const out: Contribution = { files, notes, depends: { rpm: ['NetworkManager-ppp'], deb: ['ppp'] } };
  if (later.length > 0) {
    const helper = secretsHelperPath(ctx);
    const unit = state.names.units.nmSecrets;
    const sessions = later.map((p) => ({ id: connectionIdOf(state, p), file: shq(p.secretPath) }));
    files.push(
      planFile(helper, renderTemplate('nm/secrets.sh', { marker: mk, name: model.name, unit, srcDir: state.names.files.nmPppoeDir, sessions }), FILE_MODE.executable),
      planFile(`${ctx.distro.paths.units}/${unit}`, renderTemplate('nm/secrets.service', { marker: mk, name: model.name, helper })),
    );
    out.enable = [unit];
    out.onRemove = sessions.map((s) => `rm -f ${RUN_CONNECTIONS}/${s.id}.nmconnection`);
    notes.push(
      ...later.map(
        (p) =>
          `PPPoE ${p.uplink}: ${unit} (before NetworkManager) writes ${RUN_CONNECTIONS}/${connectionIdOf(state, p)}.nmconnection with the password from the first line of ${p.secretPath} on the box; mpgen does not ship it: create it there (mode 0600), and after changing it run \`systemctl restart ${unit}\`.`,
      ),
    );
  }
  return out;
}

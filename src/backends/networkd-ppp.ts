/**
 * PPPoE beside systemd-networkd, shared by the networkd and netplan backends. networkd has no PPPoE
 * client: pppd runs in a unit of its own per session. networkd brings the Ethernet up without an
 * address (the backend's .network, or netplan's `ethernets:` entry) and never touches the PPP
 * device (an Unmanaged= .network); the session's routes are pppd's ip-up hook's, the rule from its
 * address and the balance the keepalive's (src/backends/ppp.ts, docs/kernel-state.md "PPPoE").
 */
import type { Uplink } from '../model/model.js';
import { planFile, type PlannedFile } from '../base/planned-file.js';
import { renderTemplate } from '../base/templates.js';
import { rpFilterOf } from '../state/query.js';
import type { PppSession } from '../state/state.js';
import { marker, type Contribution, type RenderContext } from './backend.js';
import { renderNetwork, type KeyValue } from './networkd-files.js';
import { rpFilterWord } from './networkd-routing.js';
import { pppFiles, secretsHelperPath } from './ppp.js';

/** Debian, Ubuntu and Fedora install pppd there; Arch's /usr/sbin is a link to /usr/bin. */
export const PPPD = '/usr/sbin/pppd';

/**
 * udev's device unit of a network interface: `systemd-escape --path /sys/subsystem/net/devices/IF`.
 * Of an interface name's characters ([A-Za-z0-9_.-], never a leading "-"), only "-" is escaped
 * there ("." only at the start of the whole path, which is "sys").
 */
export const netDeviceUnit = (iface: string): string => `sys-subsystem-net-devices-${iface.replace(/-/g, '\\x2d')}.device`;

const sessionOf = (ctx: RenderContext, u: Uplink): PppSession => {
  const p = ctx.state.sessions.find((x) => x.uplink === u.name);
  if (!p) throw new Error(`internal error: no PPP session for uplink ${u.name}`);
  return p;
};

/**
 * [Network] of a PPPoE uplink's Ethernet in networkd's words: up, no address of any kind (no
 * DHCP, no IPv4 or IPv6 link-local, no RA), configured without carrier (its routes and rules are
 * the fixed ones), kept across networkd's restart like a static uplink's.
 */
export function pppoeEthernetNetwork(ctx: RenderContext, u: Uplink): KeyValue[] {
  const network: KeyValue[] = [
    { key: 'DHCP', value: 'no' },
    { key: 'LinkLocalAddressing', value: 'no' },
    { key: 'IPv6AcceptRA', value: 'no' },
    { key: 'ConfigureWithoutCarrier', value: 'yes' },
  ];
  if (ctx.caps.networkdRpFilter) network.push({ key: 'IPv4ReversePathFilter', value: rpFilterWord(rpFilterOf(ctx.state, u.interface)) });
  network.push({ key: 'KeepConfiguration', value: 'static' });
  return network;
}

/**
 * The Ethernet's [Link]: no MTUBytes (the session's MTU is pppd's `mtu`, the Ethernet keeps its
 * own), and RequiredForOnline=no-carrier as every uplink's, not `no`: a link without an address
 * is "carrier" at best, which no-carrier accepts once networkd has configured it, while with
 * every link `no` (a profile of PPPoE uplinks only, no LAN) networkd-wait-online waits for
 * nothing and times out (the boot lab's finding for the static uplinks).
 */
export const pppoeEthernetLink = (): KeyValue[] => [{ key: 'RequiredForOnline', value: 'no-carrier' }];

export const pppoeEthernetComment = (ctx: RenderContext, u: Uplink): string => {
  const p = sessionOf(ctx, u);
  return `uplink ${u.name}: the Ethernet of its PPPoE session (${p.device}, ${ctx.state.names.units.ppp.get(u.name)}), up without an address; table ${u.table}, rule priority ${u.rulePriority}`;
};

/**
 * Why the PPPoE uplink's fixed routing (the prohibit fallback in table T, the fwmark rule, and the
 * shared rules when it is the first uplink) lives in the Ethernet's .network: networkd installs
 * routes and rules only through a link it manages, the Ethernet is one from boot on, and neither
 * a prohibit route nor a rule names a device. pppN comes and goes with the session and is
 * Unmanaged=; the keepalive owns only what follows the session (the `from ADDR` rule, the nexthop).
 */
export const PPPOE_ROUTING_COMMENT = [
  'The prohibit fallback and the fwmark rule of the table are here: networkd installs them through a link it',
  'manages, and neither names a device; the PPP device is pppd\'s. The rule from the session\'s address follows it (keepalive).',
];

/** `[Match] Name=pppN` `[Link] Unmanaged=yes`: networkd never configures (nor downs) pppd's link. */
function unmanagedFile(ctx: RenderContext, p: PppSession): PlannedFile {
  return planFile(
    ctx.state.names.files.networkdPpp.get(p.uplink)!,
    renderNetwork({
      marker: marker(ctx.model),
      comments: [`uplink ${p.uplink}: ${p.device} is pppd's (${ctx.state.names.units.ppp.get(p.uplink)}); networkd leaves it alone, addresses and routes included.`],
      match: { name: p.device },
      link: [{ key: 'Unmanaged', value: 'yes' }],
      network: [],
      addresses: [],
      routes: [],
      rules: [],
    }),
  );
}

function unitFile(ctx: RenderContext, p: PppSession): PlannedFile {
  const units = ctx.distro.paths.units || '/usr/lib/systemd/system';
  const view = {
    marker: marker(ctx.model),
    name: ctx.model.name,
    uplink: p.uplink,
    parent: p.parent,
    device: p.device,
    table: p.table,
    peer: p.peer,
    secretPath: p.secretPath,
    deviceUnit: netDeviceUnit(p.parent),
    secretsHelper: secretsHelperPath(ctx),
    pppd: PPPD,
  };
  return planFile(`${units}/${ctx.state.names.units.ppp.get(p.uplink)!}`, renderTemplate('ppp/session.service', view));
}

/**
 * What a PPPoE profile adds beside networkd: pppd's files (src/backends/ppp.ts), the Unmanaged=
 * .network and the unit of each session, enabled. Nothing without a session.
 */
export function pppBesideNetworkd(ctx: RenderContext): Contribution & { enable: string[]; networks: string[] } {
  const s = ctx.state;
  if (s.sessions.length === 0) return { files: [], enable: [], networks: [] };
  const ppp = pppFiles(ctx);
  const networks = s.sessions.map((p) => unmanagedFile(ctx, p));
  const units = s.sessions.map((p) => unitFile(ctx, p));
  const notes = [
    ...(ppp.notes ?? []),
    ...s.sessions.map((p) => `PPPoE ${p.uplink}: pppd runs beside systemd-networkd (${s.names.units.ppp.get(p.uplink)}, after networkd brings ${p.parent} up); networkd leaves ${p.device} alone.`),
  ];
  return {
    files: [...ppp.files, ...networks, ...units],
    enable: s.sessions.map((p) => s.names.units.ppp.get(p.uplink)!),
    networks: networks.map((f) => f.path),
    depends: ppp.depends,
    notes,
    onRemove: ppp.onRemove,
  };
}

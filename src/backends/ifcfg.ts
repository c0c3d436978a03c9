/**
 * RedHat initscripts (network-scripts): ifcfg-DEV, route-DEV and rule-DEV
 * files, the /usr/sbin/if*-local hooks, and /etc/sysconfig/network in teql
 * mode. docs/backends/redhat.md explains every choice made here; the exact
 * kernel state is docs/kernel-state.md.
 */
import type { Model, Uplink } from '../model/model.js';
import { FILE_MODE, planFile, type PlannedFile } from '../base/planned-file.js';
import { renderTemplate } from '../base/templates.js';
import { addressOf, balances, fromText, fwmarkText, markRules, routesByRole, routesOf, sharedRules, tableWord, uplinkRule } from '../state/query.js';
import type { KernelState, Rule } from '../state/state.js';
import { literal } from '../state/value.js';
import { marker, type Backend, type Contribution, type RenderContext, type Target } from './backend.js';
import { pppHookViews, pppoeEthernetIfcfg, pppoeNotes, pppoeSessionIfcfg, pppoeSharedFiles, sessionOf, type PppHookView } from './ifcfg-pppoe.js';
import { bondRouteLines, casePattern, multipathFunction, noPrefixRoutes, routeLine, type NoPrefixRoute } from './ifcfg-shell.js';

export interface Var {
  key: string;
  value: string;
}

export interface VarsFileView {
  marker: string;
  comments: string[];
  vars: Var[];
}

export interface LinesFileView {
  marker: string;
  comments: string[];
  lines: string[];
}

export type HookName = 'ifup-pre-local' | 'ifup-local' | 'ifdown-local';

export interface HookView {
  marker: string;
  /** the site's own hook, run after mpgen's (never clobbered silently) */
  chain: string;
  bond: string;
  /** ifup-pre-local: `ifcfg-eth2 | ... | ifcfg-teql0` */
  configs: string;
  /** slaves: every uplink (detached at ifdown); attach: the tier-1 slaves, attached at ifup */
  teql: { bond: string; slaves: string; attach: string } | null;
  multipath: { uplinks: string; fn: string } | null;
  noPrefix: NoPrefixRoute[];
  /** PPPoE sessions: the secrets helper before ifcfg-pppN, the session's routes once pppN is up */
  ppp: PppHookView[];
}

export interface IfcfgView {
  /** ifcfg-DEV files by device */
  ifcfg: Map<string, VarsFileView>;
  route: Map<string, LinesFileView>;
  rule: Map<string, LinesFileView>;
  /** /etc/sysconfig/network, teql mode with a default route only */
  network: VarsFileView | null;
  hooks: { name: HookName; view: HookView }[];
  /** the device whose rule file carries the shared rules (LAN, else the last uplink) */
  sharedRulesDevice: string;
}

/** Where the site's own hooks go: outside package-managed space, never overwritten. */
export const SITE_HOOK_DIR = '/usr/local/sbin';

/** `eth0.10` style names are 802.1Q VLANs for initscripts (it derives PHYSDEV and VID). */
const VLAN_NAME = /^.+\.[0-9]{1,4}$/;

function addressVars(state: KernelState, owner: string): Var[] {
  const a = addressOf(state, owner).local;
  return [
    { key: 'IPADDR', value: literal(a.addr) },
    { key: 'PREFIX', value: String(a.prefix) },
  ];
}

function uplinkIfcfg(model: Model, state: KernelState, u: Uplink, m: string): VarsFileView {
  const vars: Var[] = [
    { key: 'DEVICE', value: u.interface },
    { key: 'NAME', value: state.names.uplinkConnection.get(u.name)! },
  ];
  if (VLAN_NAME.test(u.interface)) vars.push({ key: 'VLAN', value: 'yes' });
  if (u.addressing === 'dhcp') {
    vars.push(
      { key: 'ONBOOT', value: 'yes' },
      // ifup-eth runs dhclient; RedHat's dhclient-script reads this file (through initscripts'
      // network-functions), so DEFROUTE=no below keeps the lease's routers out of main, and mpgen's
      // dhclient.d hook puts the first into the uplink's table (docs/backends/redhat.md).
      { key: 'BOOTPROTO', value: 'dhcp' },
      // dhclient keeps trying in the background when no server answers at ifup, and ifup-eth still
      // goes on to ifup-post (route- and rule- files, ifup-local): a line whose DHCP server is down
      // at boot gets its lease, and the keepalive its balance, once the server answers.
      { key: 'PERSISTENT_DHCLIENT', value: 'yes' },
    );
  } else {
    vars.push({ key: 'ONBOOT', value: 'yes' }, { key: 'BOOTPROTO', value: 'none' }, ...addressVars(state, u.name));
  }
  if (u.mac) vars.push({ key: 'HWADDR', value: u.mac });
  if (u.mtu !== undefined) vars.push({ key: 'MTU', value: String(u.mtu) });
  vars.push(
    // the default route is the multipath table's (or teqlN's), never a single uplink's
    { key: 'DEFROUTE', value: 'no' },
    { key: 'NM_CONTROLLED', value: 'no' },
    // ifup-eth would add 169.254.0.0/16 to main: not part of the kernel state
    { key: 'NOZEROCONF', value: 'yes' },
  );
  const comments = [`uplink ${u.name}: table ${u.table}, rule priority ${u.rulePriority}`];
  if (u.addressing === 'dhcp') {
    comments.push(
      `DHCP: ${state.names.files.dhclientD.path} puts the lease's router into table ${u.table}; the keepalive adds`,
      'the rule from the leased address and the line\'s nexthop in the balance, and follows the lease',
    );
  }
  if (model.mode === 'teql') comments.push(`teql slave of ${model.bond?.interface ?? 'teql0'}: the qdisc is attached by /usr/sbin/ifup-local`);
  return { marker: m, comments, vars };
}

function bondIfcfg(model: Model, state: KernelState, m: string): VarsFileView | null {
  const b = model.bond;
  if (!b) return null;
  const vars: Var[] = [
    { key: 'DEVICE', value: b.interface },
    { key: 'NAME', value: state.names.bondConnection },
    { key: 'ONBOOT', value: 'yes' },
    { key: 'BOOTPROTO', value: 'none' },
    ...addressVars(state, 'bond'),
  ];
  if (b.mtu !== undefined) vars.push({ key: 'MTU', value: String(b.mtu) });
  vars.push(
    // teqlN is NOARP: arping can neither probe nor announce its address
    { key: 'ARPCHECK', value: 'no' },
    { key: 'ARPUPDATE', value: 'no' },
    { key: 'NM_CONTROLLED', value: 'no' },
    { key: 'NOZEROCONF', value: 'yes' },
  );
  return {
    marker: m,
    comments: [
      'No TYPE: initscripts finds no ifup-teql and configures the device with ifup-eth;',
      `its is_available() runs \`modprobe ${b.interface}\`, which the modprobe.d alias maps to sch-teql.`,
      `${b.interface} cannot come up before a slave is attached: /usr/sbin/ifup-local brings it up then.`,
    ],
    vars,
  };
}

function lanIfcfg(model: Model, state: KernelState, m: string): VarsFileView | null {
  const l = model.lan;
  if (!l || !state.names.lanConnection) return null;
  const vars: Var[] = [{ key: 'DEVICE', value: l.interface }, { key: 'NAME', value: state.names.lanConnection }];
  if (VLAN_NAME.test(l.interface)) vars.push({ key: 'VLAN', value: 'yes' });
  vars.push(
    { key: 'ONBOOT', value: 'yes' },
    { key: 'BOOTPROTO', value: 'none' },
    ...addressVars(state, 'lan'),
    { key: 'DEFROUTE', value: 'no' },
    { key: 'NM_CONTROLLED', value: 'no' },
    { key: 'NOZEROCONF', value: 'yes' },
  );
  return { marker: m, comments: ['LAN'], vars };
}

/** DHCP and PPPoE: the address, and the routes through the line, come and go. */
const isDynamic = (state: KernelState, uplink: string): boolean => state.uplinks.some((u) => u.name === uplink && u.addressing !== 'static');

/**
 * route-DEV lines of one uplink: the onlink gateway's host route, its table's routes, then the prohibit
 * fallbacks. A DHCP uplink's table routes go through the lease's router: its dhclient.d hook adds them;
 * a PPPoE uplink's go through pppN, which ifup-local routes when the session is up.
 */
export function uplinkRouteLines(state: KernelState, uplink: string): string[] {
  const roles = isDynamic(state, uplink) ? (['prohibit'] as const) : (['gateway-host', 'uplink', 'prohibit'] as const);
  return roles.flatMap((role) => routesOf(state, uplink, role).map(routeLine));
}

/** A rule-DEV line, passed verbatim to `ip rule add` (and `ip rule del` at ifdown). */
export function ruleLine(r: Rule): string {
  if (r.role === 'uplink') return `from ${fromText(r)} table ${r.table} priority ${r.priority}`;
  if (r.role === 'mark') return `priority ${r.priority} fwmark ${fwmarkText(r)} table ${r.table}`;
  const suppress = r.suppressPrefixLength !== undefined ? ` suppress_prefixlength ${r.suppressPrefixLength}` : '';
  return `priority ${r.priority} table ${tableWord(r.table)}${suppress}`;
}

/** The rules every uplink shares: main without its default route, then the multipath table. */
export const sharedRuleLines = (state: KernelState): string[] => sharedRules(state).map(ruleLine);

function last<T>(xs: T[]): T {
  const x = xs[xs.length - 1];
  if (x === undefined) throw new Error('mpgen: a model without uplinks reached the ifcfg backend');
  return x;
}

export function ifcfgView(ctx: Pick<RenderContext, 'model' | 'state' | 'distro'>): IfcfgView {
  const { model, state } = ctx;
  const m = marker(model);
  const ifcfg = new Map<string, VarsFileView>();
  const route = new Map<string, LinesFileView>();
  const rule = new Map<string, LinesFileView>();
  const lastUplink = last(model.uplinks);
  const sharedRulesDevice = model.lan ? model.lan.interface : lastUplink.interface;
  const sharedComment = model.lan
    ? 'shared rules live with the LAN: taking an uplink down (ifdown-routes deletes its rule file) must not remove them'
    : 'shared rules live with the last uplink: no LAN in this profile, and the last uplink completes the multipath route';

  for (const u of model.uplinks) {
    if (u.addressing === 'pppoe') {
      ifcfg.set(u.interface, pppoeEthernetIfcfg(state, u, m));
      ifcfg.set(sessionOf(state, u).device, pppoeSessionIfcfg(state, u, m));
    } else ifcfg.set(u.interface, uplinkIfcfg(model, state, u, m));
    const comments = [`table ${u.table} (uplink ${u.name}); each line goes to \`ip route add\``];
    if (u === lastUplink && model.mode !== 'teql' && model.uplinks.every((x) => x.addressing !== 'static')) {
      comments.push(`the multipath route of table ${routesByRole(state, 'multipath')[0]?.table} is the keepalive's: every uplink is dynamic`);
    } else if (u === lastUplink && model.mode !== 'teql') {
      comments.push(
        `the multipath route of table ${routesByRole(state, 'multipath')[0]?.table} is installed by /usr/sbin/ifup-local,`,
        'over the uplinks that are up: a route file line fails while any nexthop device is down',
      );
    }
    route.set(u.interface, { marker: m, comments, lines: uplinkRouteLines(state, u.name) });
    const marks = markRules(state, u.name);
    const dynamic = u.addressing !== 'static';
    // a DHCP or PPPoE uplink's `from ADDRESS` rule follows the lease or the session: the keepalive's
    const ruleLines = [...(dynamic ? [] : [ruleLine(uplinkRule(state, u.name))]), ...marks.map(ruleLine)];
    const ruleComments = [`uplink ${u.name}; each line goes to \`ip rule add\` at ifup and \`ip rule del\` at ifdown`];
    if (u.addressing === 'dhcp') ruleComments.push('no rule from the address: it is leased, and the keepalive keeps that rule in step with the lease');
    if (u.addressing === 'pppoe') ruleComments.push('no rule from the address: the PPPoE session\'s, and the keepalive keeps that rule in step with it');
    // connections pinned to this uplink (by the firewall's connection mark) keep using its table
    if (marks.length > 0) ruleComments.push('the fwmark rule routes connections pinned to this uplink through its table');
    if (u.interface === sharedRulesDevice) {
      ruleLines.push(...sharedRuleLines(state));
      ruleComments.push(sharedComment);
    }
    rule.set(u.interface, { marker: m, comments: ruleComments, lines: ruleLines });
  }

  const lan = lanIfcfg(model, state, m);
  if (lan && model.lan) {
    ifcfg.set(model.lan.interface, lan);
    rule.set(model.lan.interface, { marker: m, comments: [sharedComment], lines: sharedRuleLines(state) });
  }

  let network: VarsFileView | null = null;
  const bond = bondIfcfg(model, state, m);
  if (bond && model.bond) {
    const b = model.bond;
    ifcfg.set(b.interface, bond);
    route.set(b.interface, {
      marker: m,
      comments: [
        `teql bond ${b.interface}: ifup-eth has already added the GATEWAY of /etc/sysconfig/network,`,
        'so `ip route add` of the default route fails and initscripts falls back to `ip route replace`,',
        'which makes it exactly this line (onlink: the gateway is the address common to all routers)',
      ],
      lines: bondRouteLines(state),
    });
    if (balances(state, 'default')) {
      network = {
        marker: m,
        comments: [
          'mpgen replaces this system file (teql mode): the default gateway is the routers\' common address on the bond',
        ],
        vars: [
          { key: 'NETWORKING', value: 'yes' },
          { key: 'GATEWAY', value: literal(state.bond!.gateway) },
          { key: 'GATEWAYDEV', value: b.interface },
          { key: 'NOZEROCONF', value: 'yes' },
        ],
      };
    }
  }

  const uplinkNames = model.uplinks.map((u) => u.interface);
  // A DHCP uplink's nexthop is the keepalive's: its coming and going changes nothing the hooks install.
  const staticUplinks = model.uplinks.filter((u) => u.addressing === 'static').map((u) => u.interface);
  const fn = multipathFunction(state);
  const base = {
    marker: m,
    bond: model.bond?.interface ?? '',
    configs: model.bond ? casePattern([...uplinkNames, model.bond.interface].map((n) => `ifcfg-${n}`)) : '',
    teql: model.bond ? { bond: model.bond.interface, slaves: casePattern(uplinkNames), attach: casePattern(state.qdiscs.map((q) => q.interface)) } : null,
    multipath: fn && staticUplinks.length > 0 ? { uplinks: casePattern(staticUplinks), fn: fn.trimEnd() } : null,
    noPrefix: noPrefixRoutes(state),
    ppp: pppHookViews(ctx),
  };
  const hook = (name: HookName) => ({
    name,
    view: { ...base, chain: `${SITE_HOOK_DIR}/${name}` },
  });
  const pre = model.mode === 'teql' || state.sessions.length > 0;
  const hooks = pre ? [hook('ifup-pre-local'), hook('ifup-local'), hook('ifdown-local')] : [hook('ifup-local'), hook('ifdown-local')];
  return { ifcfg, route, rule, network, hooks, sharedRulesDevice };
}

export function ifcfgNotes(model: Model, state: KernelState, distro: Target): string[] {
  const notes = [
    'ifcfg: these files and the /usr/sbin/if*-local hooks are read by initscripts (package network-scripts): ' +
      'the default on RHEL/CentOS 7; on RHEL 8 and its rebuilds only with network-scripts installed and the network service enabled ' +
      '(deprecated, and the hooks never run for devices NetworkManager manages, hence NM_CONTROLLED=no); ' +
      'absent from RHEL 9 and later, not built since Fedora 40. Use `--backend nm` there.',
  ];
  if (!distro.versions.networkScripts) {
    notes.push(
      `ifcfg: ${distro.name} ${distro.release} ships no network-scripts, so nothing will read these files: render with \`--backend nm\`.`,
    );
  }
  if (model.mode === 'teql' && balances(state, 'default')) {
    notes.push('ifcfg: /etc/sysconfig/network is replaced (GATEWAY and GATEWAYDEV point at the teql bond); merge by hand if the file held other settings.');
  }
  notes.push(
    `ifcfg: /usr/sbin/ifup-local and friends exist once per system; mpgen's hooks run the site's own from ${SITE_HOOK_DIR}/ after theirs: move an existing hook there.`,
  );
  if (model.uplinks.some((u) => u.addressing === 'dhcp')) {
    notes.push(
      `ifcfg: DHCP uplinks: dhclient-script runs ${state.names.files.dhclientD.path}, which puts the lease's router into the uplink's table; ` +
        'routes of DHCP option 121 other than the default still land in main (dhclient-script installs them whatever DEFROUTE says).',
    );
  }
  if (model.mode === 'equalize') {
    notes.push('ifcfg: iproute2 6.x rejects the `equalize` keyword; ifup-local then installs the same route without it (kernels since 3.6 ignore the flag anyway).');
  }
  return notes;
}

/** Every file of this backend has a name initscripts fixes: the same path for every profile. */
const fixed = (f: PlannedFile): PlannedFile => ({ ...f, fixedName: true });

function varsFile(path: string, view: VarsFileView): PlannedFile {
  return planFile(path, renderTemplate('ifcfg/vars', view));
}

/** The dhclient.d hook of the DHCP uplinks (none without one): see templates/ifcfg/dhclient-d.hbs. */
function dhclientHook(ctx: Pick<RenderContext, 'model' | 'state'>): PlannedFile | undefined {
  const dhcp = ctx.state.uplinks.filter((u) => u.addressing === 'dhcp');
  if (dhcp.length === 0) return undefined;
  const { path, stem } = ctx.state.names.files.dhclientD;
  const view = { marker: marker(ctx.model), name: ctx.model.name, stem, uplinks: dhcp.map((u) => ({ interface: u.interface, table: u.table })) };
  // dhclient-script skips a dhclient.d file that is not executable
  return planFile(path, renderTemplate('ifcfg/dhclient-d', view), FILE_MODE.executable);
}

export const ifcfg: Backend = (ctx: RenderContext): Contribution => {
  const { model, distro } = ctx;
  const view = ifcfgView(ctx);
  const dir = distro.paths.networkScripts;
  const files: PlannedFile[] = [];
  for (const [dev, v] of view.ifcfg) files.push(varsFile(`${dir}/ifcfg-${dev}`, v));
  for (const [dev, v] of view.route) files.push(planFile(`${dir}/route-${dev}`, renderTemplate('ifcfg/lines', v)));
  for (const [dev, v] of view.rule) files.push(planFile(`${dir}/rule-${dev}`, renderTemplate('ifcfg/lines', v)));
  if (view.network) files.push(varsFile('/etc/sysconfig/network', view.network));
  for (const h of view.hooks) {
    files.push(planFile(`${distro.paths.hooks}/${h.name}`, renderTemplate(`ifcfg/${h.name}`, h.view), FILE_MODE.executable));
  }
  const hook = dhclientHook(ctx);
  const ppp = pppoeSharedFiles(ctx);
  const rpm = ['network-scripts', 'iproute'];
  // ifup-ppp is network-scripts-ppp's on RHEL 8 (ppp's on 7); pppoe-start is rp-pppoe's
  if (ctx.state.sessions.length > 0) rpm.push('network-scripts-ppp', 'ppp', 'rp-pppoe');
  // the package is dhclient on RHEL 7, dhcp-client (which provides dhclient) later
  if (hook) rpm.push('dhclient');
  if (model.mode === 'teql') rpm.push('iproute-tc', 'kmod');
  // the dhclient.d hook's name is the profile's own: the package ships it where it goes
  return {
    files: [...files.map(fixed), ...(hook ? [hook] : []), ...ppp.files],
    depends: { rpm },
    notes: [...ifcfgNotes(model, ctx.state, distro), ...pppoeNotes(ctx)],
    ...(ppp.onRemove.length > 0 ? { onRemove: ppp.onRemove } : {}),
  };
};

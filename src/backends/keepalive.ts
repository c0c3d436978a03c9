/**
 * The keepalive contribution to every plan: the POSIX sh daemon, its
 * KEY=VALUE configuration generated from the model, and the hardened
 * unit of the profile. The daemon never sources the configuration: it parses it
 * with a whitelist of keys and a pattern per value (templates/keepalive/keepalive.hbs).
 */
import type { Model, Uplink } from '../model/model.js';
import { DEFAULTS } from '../model/normalize.js';
import { FILE_MODE, planFile, type PlannedFile } from '../plan/plan.js';
import { renderTemplate } from '../plan/templates.js';
import { marker, type Backend, type Contribution } from './backend.js';

/**
 * The daemon of one profile: name-suffixed, like every file a profile ships, so the
 * packages of two profiles never own the same path (moving a box from A to B
 * installs B before or after removing A).
 */
export const keepaliveScript = (libexec: string, name: string): string => `${libexec.replace(/\/+$/, '')}/${name}-keepalive`;
/**
 * One unit per profile, not a template instance: deb-systemd-helper (1.65) and rpm presets
 * enable it as it is, which they do not do for instances of a template.
 */
export const keepaliveUnit = (name: string): string => `mpgen-keepalive-${name}.service`;

/** The defaults live with the other profile defaults (src/model/normalize.ts), with their reasons. */
export const KEEPALIVE_DEFAULTS = DEFAULTS.keepalive;

/** Worst-case detection of a silent blackhole, in ms: interval * (down + ceil(timeout / interval)). */
export function worstCaseDetectionMs(k: { intervalMs: number; timeoutMs: number; down: number }): number {
  return k.intervalMs * (k.down + Math.ceil(k.timeoutMs / k.intervalMs));
}

/** Worst-case recovery after the path heals, in ms (plus one RTT): interval * up. */
export function worstCaseRecoveryMs(k: { intervalMs: number; up: number }): number {
  return k.intervalMs * k.up;
}

/** A line is up while at least this many of its n targets are: a strict majority. */
export function quorum(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** The uplink's SNAT/source address when its conntrack entries can be told apart from the others'. */
function conntrackAddress(m: Model, u: Uplink): string {
  if (m.mode === 'teql') return '';
  const shared = m.uplinks.some((o) => o !== u && o.address.address === u.address.address);
  return shared ? '' : u.address.address;
}

const SAFE: Record<string, RegExp> = {
  ifname: /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,14}$/,
  ipv4: /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/,
  name: /^[a-z][a-z0-9_-]{0,30}$/,
};

function check(kind: keyof typeof SAFE, value: string, what: string): string {
  if (!SAFE[kind]!.test(value)) throw new Error(`keepalive: ${what} "${value}" does not match the ${kind} pattern`);
  return value;
}

/** /etc/mpgen/<name>.conf: KEY=VALUE lines, uplinks numbered from 1 in profile order. */
export function keepaliveConfig(m: Model): string {
  const k = m.keepalive;
  const lines: string[] = [
    marker(m),
    `# Read by ${keepaliveScript('/usr/libexec/mpgen', m.name)}, which accepts only the keys below`,
    '# (KEY=VALUE, no quotes, no spaces around "="). docs: keepalive.md',
    'VERSION=1',
    `NAME=${check('name', m.name, 'profile name')}`,
    `MODE=${m.mode}`,
    `METHOD=${k.method}`,
    `INTERVAL_MS=${k.intervalMs}`,
    `TIMEOUT_MS=${k.timeoutMs}`,
    `DOWN=${k.down}`,
    `UP=${k.up}`,
  ];
  if (m.mode === 'teql') {
    if (!m.bond) throw new Error('keepalive: teql mode without a bond');
    lines.push(`BOND=${check('ifname', m.bond.interface, 'bond interface')}`, `BOND_NET=${m.bond.address.networkCidr}`);
  } else {
    lines.push(`TABLE=${m.routing.multipathTable}`, `ROUTES=${m.routes.join(' ')}`);
  }
  lines.push(`UPLINKS=${m.uplinks.length}`);
  m.uplinks.forEach((u, i) => {
    const p = `UPLINK_${i + 1}_`;
    const probe = u.probe.map((t) => check('ipv4', t, `probe target of ${u.name}`));
    lines.push(
      `${p}NAME=${check('name', u.name, 'uplink name')}`,
      `${p}DEV=${check('ifname', u.interface, `interface of ${u.name}`)}`,
      `${p}SRC=${check('ipv4', u.address.address, `address of ${u.name}`)}`,
      `${p}NET=${u.address.networkCidr}`,
      `${p}GW=${u.gateway ? check('ipv4', u.gateway, `gateway of ${u.name}`) : ''}`,
      `${p}ONLINK=${u.onlink ? 1 : 0}`,
      `${p}WEIGHT=${u.weight}`,
      `${p}TABLE=${u.table}`,
      `${p}PROBE=${probe.join(' ')}`,
      `${p}QUORUM=${quorum(probe.length)}`,
      `${p}CONNTRACK=${conntrackAddress(m, u)}`,
    );
  });
  return lines.join('\n') + '\n';
}

export const keepalive: Backend = (ctx): Contribution => {
  const m = ctx.model;
  if (!m.keepalive.enabled) return { files: [] };
  const libexec = ctx.distro.paths.libexec || '/usr/libexec/mpgen';
  const units = ctx.distro.paths.units || '/usr/lib/systemd/system';
  const script = keepaliveScript(libexec, m.name);
  const files: PlannedFile[] = [
    planFile(script, renderTemplate('keepalive/keepalive', { marker: marker(m) }), FILE_MODE.executable),
    planFile(`/etc/mpgen/${m.name}.conf`, keepaliveConfig(m), FILE_MODE.regular),
    planFile(`${units}/${keepaliveUnit(m.name)}`, renderTemplate('keepalive/unit', { marker: marker(m), name: m.name, script, arping: m.keepalive.method === 'arping' }), FILE_MODE.regular),
  ];
  const deb = ['iproute2', 'iputils-ping'];
  const rpm = ['iproute', 'iputils'];
  if (m.keepalive.method === 'arping') {
    // Thomas Habets' arping: it prints "Timeout" per unanswered probe, which the
    // stream parser needs; iputils' arping prints nothing for a miss.
    deb.push('arping');
    rpm.push('arping');
  }
  const notes: string[] = [];
  if (m.uplinks.some((u) => u.probe.length === 0))
    notes.push(
      `keepalive: ${m.uplinks
        .filter((u) => u.probe.length === 0)
        .map((u) => u.name)
        .join(', ')} has no probe target (a direct link without gateway): it is never taken out; add probe: [...] to monitor it`,
    );
  return {
    files,
    enable: [keepaliveUnit(m.name)],
    depends: { deb, rpm },
    notes,
  };
};

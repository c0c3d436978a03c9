/** Steering profiles for the firewall tests: two uplinks, pinned connections, two policies (one fallback none). */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderContext, type RenderContext } from '../../src/backends/backend.js';
import { firewall } from '../../src/backends/firewall.js';
import { getDistro } from '../../src/distros/registry.js';
import { loadModelFromText } from '../../src/model/load.js';
import type { PlannedFile } from '../../src/plan/plan.js';

export interface SteerOptions {
  firewall?: 'nftables' | 'iptables' | 'none';
  pinFlows?: boolean;
  policies?: boolean;
  name?: string;
  /** more policies: icmp, sport, a port list longer than one multiport rule holds, no match at all */
  more?: boolean;
}

/** Documentation addresses only: uplinks in 192.0.2.0/24, the LAN in 198.51.100.0/24, far ends in 203.0.113.0/24. */
export function steerProfile(o: SteerOptions = {}): string {
  const nat = o.firewall === 'none' ? 'none' : 'masquerade';
  const lines = [
    'version: 1',
    `name: ${o.name ?? 'steer'}`,
    'mode: multipath',
    'lan: {interface: lan0, address: 198.51.100.1/24}',
    'uplinks:',
    `  - {name: dsl1, interface: up0, address: 192.0.2.2/29, gateway: 192.0.2.1, nat: ${nat}}`,
    `  - {name: dsl2, interface: up1, address: 192.0.2.10/29, gateway: 192.0.2.9, nat: ${nat}}`,
    `firewall: ${o.firewall ?? 'nftables'}`,
    'keepalive: {targets: [203.0.113.99]}',
  ];
  if (o.pinFlows !== undefined) lines.push(`routing: {pin_flows: ${o.pinFlows}}`);
  if (o.policies ?? o.firewall !== 'none')
    lines.push(
      'policies:',
      '  - {name: voip, match: {protocol: udp, dport: [5060, "10000-10100"], src: [198.51.100.0/25]}, uplinks: [dsl2, dsl1]}',
      '  - {name: bank-web, match: {protocol: tcp, dport: 443, dst: [203.0.113.0/25, 203.0.113.128/26]}, uplinks: [dsl1], fallback: none}',
    );
  if (o.more)
    lines.push(
      '  - {name: ping, match: {protocol: icmp, src: [198.51.100.0/26, 198.51.100.64/26], dst: [203.0.113.0/24, 192.0.2.0/25]}, uplinks: [dsl1]}',
      `  - {name: many, match: {protocol: tcp, sport: ["1000-1010"], dport: [${Array.from({ length: 14 }, (_, i) => 2000 + i).join(', ')}, "3000-3010", "4000-4010"]}, uplinks: [dsl2, dsl1]}`,
      '  - {name: rest_all, match: {}, uplinks: [dsl2], fallback: none}',
    );
  return `${lines.join('\n')}\n`;
}

export function steerContext(o: SteerOptions = {}): RenderContext {
  const { model } = loadModelFromText(steerProfile(o), 'steer.yaml');
  return renderContext(model, getDistro('debian'));
}

export const fileOf = (files: PlannedFile[], suffix: string): PlannedFile => {
  const f = files.find((x) => x.path.endsWith(suffix));
  if (!f) throw new Error(`no ${suffix} in ${files.map((x) => x.path).join(', ')}`);
  return f;
};

export const renderSteer = (o: SteerOptions = {}) => firewall(steerContext(o));

export interface ShRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `sh -c SCRIPT` under PREFIX (`unshare -n -m`, or `ip netns exec NS`, which also gives a
 * private mount namespace) with ETC bind-mounted on /etc/mpgen and RUN on /run: the loader reads
 * its fixed paths, and the host's never change. In SCRIPT, $1.. are ARGS.
 */
export function sandboxed(prefix: string[], etc: string, run: string, script: string, args: string[] = []): ShRun {
  // a host without /etc/mpgen gets it in an overlay of /etc, inside this mount namespace only
  const mountpoint = `[ -d /etc/mpgen ] || { mkdir -p "$1.ovl/u" "$1.ovl/w" && mount -t overlay overlay -o lowerdir=/etc,upperdir="$1.ovl/u",workdir="$1.ovl/w" /etc && mkdir /etc/mpgen; }`;
  const wrapped = `${mountpoint} && mount --bind "$1" /etc/mpgen && mount --bind "$2" /run && shift 2 || exit 99\n${script}`;
  const r = spawnSync(prefix[0]!, [...prefix.slice(1), 'sh', '-c', wrapped, 'sh', etc, run, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** A temp tree: etc/ (the rendered ruleset), run/mpgen/, and the loader. */
export function steerTree(files: PlannedFile[]): { dir: string; etc: string; run: string; helper: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mpgen-steer-'));
  const etc = join(dir, 'etc');
  const run = join(dir, 'run');
  mkdirSync(etc);
  mkdirSync(join(run, 'mpgen'), { recursive: true });
  let helper = '';
  for (const f of files) {
    const base = f.path.slice(f.path.lastIndexOf('/') + 1);
    if (f.path.startsWith('/etc/mpgen/')) writeFileSync(join(etc, base), f.content);
    if (f.path.startsWith('/usr/libexec/')) {
      helper = join(dir, base);
      writeFileSync(helper, f.content, { mode: 0o755 });
    }
  }
  return { dir, etc, run, helper };
}

/**
 * Shared by the ifcfg and nm tests: render contexts from the real fixtures and
 * distro registry, a stub directory whose tc/modprobe/ip/ifup record their
 * calls, a dash runner, and the kernel state of docs/kernel-state.md written
 * out from the model (independently of the backends) for comparisons.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderContext, type Contribution, type RenderContext } from '../../src/backends/backend.js';
import { ifcfg } from '../../src/backends/ifcfg.js';
import { nm } from '../../src/backends/nm.js';
import type { Distro } from '../../src/distros/distro.js';
import { getDistro } from '../../src/distros/registry.js';
import type { Model } from '../../src/model/model.js';
import type { PlannedFile } from '../../src/plan/plan.js';
import { fixtureModel, type FixtureName } from '../support/fixtures.js';
import type { IpRoute } from '../../src/check/snapshot.js';

export function context(name: FixtureName, distro: Distro = getDistro('rhel')): RenderContext {
  return renderContext(fixtureModel(name), distro);
}

/** rhel with an older NetworkManager, for the version gates. */
export function rhelWithNm(version: string): Distro {
  const d = getDistro('rhel');
  return { ...d, release: `nm-${version}`, versions: { ...d.versions, networkmanager: version } };
}

export const renderIfcfg = (name: FixtureName, distro?: Distro): Contribution => ifcfg(context(name, distro));
export const renderNm = (name: FixtureName, distro?: Distro): Contribution => nm(context(name, distro));

export function file(c: Contribution, path: string): PlannedFile {
  const f = c.files.find((x) => x.path === path);
  if (!f) throw new Error(`not rendered: ${path}; have ${c.files.map((x) => x.path).join(', ')}`);
  return f;
}

/** Lines that initscripts hands to ip: neither blank nor comments (its MATCH regex). */
export function commandLines(content: string): string[] {
  return content.split('\n').filter((l) => !/^[\t ]*(#.*)?$/.test(l));
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function shellcheck(content: string, dir: string, name: string): { status: number | null; out: string } {
  const p = join(dir, name);
  writeFileSync(p, content);
  const r = spawnSync('shellcheck', ['-s', 'sh', p], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/**
 * A directory of stubs: each records `name args...` into $MPGEN_CALLS. The ip
 * stub answers `ip -o -4 addr show dev X up` and `ip -o link show dev X up`
 * with one line when X is listed in $STUB_UP (space separated).
 */
export function stubDir(commands: string[]): string {
  const dir = tempDir('mprh-stub-');
  for (const c of commands) {
    const body =
      c === 'ip'
        ? `#!/bin/sh
echo "ip $*" >> "$MPGEN_CALLS"
dev=
prev=
for a in "$@"; do
  [ "$prev" = dev ] && dev=$a
  prev=$a
done
case " $* " in
  *" show "*" up ")
    case " \${STUB_UP:-} " in *" $dev "*) echo "1: $dev: <UP> stub" ;; esac ;;
esac
exit 0
`
        : `#!/bin/sh\necho "${c} $*" >> "$MPGEN_CALLS"\nexit 0\n`;
    writeFileSync(join(dir, c), body);
    chmodSync(join(dir, c), 0o755);
  }
  return dir;
}

/** Run a script under dash with the stubs first on PATH; returns the recorded calls. */
export function runUnderDash(script: string, args: string[], stubs: string, up: string[] = []): string[] {
  const dir = tempDir('mprh-run-');
  try {
    const path = join(dir, 'hook');
    writeFileSync(path, script);
    const calls = join(dir, 'calls');
    writeFileSync(calls, '');
    execFileSync('dash', [path, ...args], {
      env: { PATH: `${stubs}:/usr/bin:/bin`, MPGEN_CALLS: calls, STUB_UP: up.join(' ') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return readFileSync(calls, 'utf8').split('\n').filter((l) => l !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// docs/kernel-state.md, spelled out from the model.

export interface KRule {
  priority: number;
  from: string; // "all" or an address (a /32 prints without its length)
  table: string; // "main" or a number
  suppress?: number;
  fwmark?: string; // "0x100/0x3f00"
}

/** kernel-state.md, "Steering": a mark per uplink when connections are pinned or steered. */
export const markedModel = (m: Model): boolean => m.mode !== 'teql' && m.firewall !== 'none' && (m.routing.pinFlows || m.policies.length > 0);

export function expectedRules(model: Model): KRule[] {
  const r = model.routing;
  const rules: KRule[] = [{ priority: r.mainRulePriority, from: 'all', table: 'main', suppress: 0 }];
  for (const u of model.uplinks) {
    rules.push({ priority: u.rulePriority, from: u.ruleFrom!.replace(/\/32$/, ''), table: String(u.table) });
    if (markedModel(model)) rules.push({ priority: u.rulePriority, from: 'all', table: String(u.table), fwmark: `0x${((u.index + 1) << 8).toString(16)}/0x3f00` });
  }
  if (model.mode !== 'teql') rules.push({ priority: r.multipathRulePriority, from: 'all', table: String(r.multipathTable) });
  return rules.sort((a, b) => a.priority - b.priority);
}

const kdst = (d: string): string => (d === 'default' ? 'default' : d);

/** Canonical one-line routes per table (uplink tables, multipath table, static routes in main). */
export function expectedRoutes(model: Model): Map<string, string[]> {
  const t = new Map<string, string[]>();
  const add = (table: string, r: string) => t.set(table, [...(t.get(table) ?? []), r]);
  for (const u of model.uplinks) {
    for (const d of model.routes) {
      add(
        String(u.table),
        u.gateway
          ? `unicast ${kdst(d)} via ${u.gateway} dev ${u.interface} src ${u.address!.address} proto static metric 0${u.onlink ? ' onlink' : ''}`
          : `unicast ${kdst(d)} dev ${u.interface} src ${u.address!.address} proto static metric 0`,
      );
      if (model.routing.prohibitFallback) add(String(u.table), `prohibit ${kdst(d)} proto static metric 1`);
    }
    if (u.onlink && u.gateway) add('main', `unicast ${u.gateway} dev ${u.interface} proto static metric 0`);
  }
  if (model.mode !== 'teql') {
    for (const d of model.routes) {
      // the balance at boot: tier 1
      const hops = model.uplinks.filter((u) => u.tier === 1).map((u) => `nexthop${u.gateway ? ` via ${u.gateway}` : ''} dev ${u.interface} weight ${u.weight}${u.onlink && u.gateway ? ' onlink' : ''}`);
      add(String(model.routing.multipathTable), `unicast ${kdst(d)} proto static metric 0 ${hops.join(' ')}`);
    }
  }
  if (model.bond) for (const d of model.routes) add('main', `unicast ${kdst(d)} via ${model.bond.gateway} dev ${model.bond.interface} proto static metric 0 onlink`);
  for (const [k, v] of t) t.set(k, v.sort());
  return t;
}


export function canonicalRoute(r: IpRoute): string {
  const parts = [r.type ?? 'unicast', r.dst];
  if (r.gateway) parts.push('via', r.gateway);
  if (r.dev) parts.push('dev', r.dev);
  if (r.prefsrc) parts.push('src', r.prefsrc);
  parts.push('proto', r.protocol ?? '?', 'metric', String(r.metric ?? 0));
  if (r.flags?.includes('onlink')) parts.push('onlink');
  for (const n of r.nexthops ?? []) {
    parts.push('nexthop');
    if (n.gateway) parts.push('via', n.gateway);
    if (n.dev) parts.push('dev', n.dev);
    parts.push('weight', String(n.weight ?? 1));
    if (n.flags?.includes('onlink')) parts.push('onlink');
  }
  return parts.join(' ');
}

/** Routes read back from a namespace, by table, keeping only what mpgen installs (proto static). */
export function readRoutes(ns: string): Map<string, string[]> {
  const routes = JSON.parse(execFileSync('ip', ['-n', ns, '-4', '-j', 'route', 'show', 'table', 'all'], { encoding: 'utf8' })) as IpRoute[];
  const t = new Map<string, string[]>();
  for (const r of routes) {
    if (r.protocol !== 'static') continue;
    const table = r.table ?? 'main';
    t.set(table, [...(t.get(table) ?? []), canonicalRoute(r)]);
  }
  for (const [k, v] of t) t.set(k, v.sort());
  return t;
}

export function readAllRoutes(ns: string): IpRoute[] {
  return JSON.parse(execFileSync('ip', ['-n', ns, '-4', '-j', 'route', 'show', 'table', 'all'], { encoding: 'utf8' })) as IpRoute[];
}

export function readRules(ns: string): KRule[] {
  const rules = JSON.parse(execFileSync('ip', ['-n', ns, '-4', '-j', 'rule'], { encoding: 'utf8' })) as {
    priority: number;
    src: string;
    srclen?: number;
    table: string;
    suppress_prefixlen?: number;
    fwmark?: string;
    fwmask?: string;
  }[];
  return rules
    .filter((r) => ![0, 32766, 32767].includes(r.priority))
    .map((r) => {
      const k: KRule = { priority: r.priority, from: r.srclen !== undefined ? `${r.src}/${r.srclen}` : r.src, table: r.table };
      if (r.suppress_prefixlen !== undefined) k.suppress = r.suppress_prefixlen;
      if (r.fwmark !== undefined) k.fwmark = r.fwmask !== undefined ? `${r.fwmark}/${r.fwmask}` : r.fwmark;
      return k;
    })
    .sort((a, b) => a.priority - b.priority);
}

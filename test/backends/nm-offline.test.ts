/**
 * nmcli --offline round trip (NM 1.42 reads a keyfile on stdin for
 * `connection modify` and prints the result). nmcli drops bad values silently
 * and exits 0, so every route, option and rule is compared, not the exit
 * code; a control proves that the comparison catches a dropped weight. The
 * keyfile's content is also compared with docs/kernel-state.md as spelled out
 * from the model.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Model, Uplink } from '../../src/model/model.js';
import { missing } from '../support/require.js';
import { FIXTURES, fixtureModel } from '../support/fixtures.js';
import { renderNm } from './ifcfg-support.js';

type Ini = Map<string, Map<string, string>>;

function parseIni(text: string): Ini {
  const ini: Ini = new Map();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      ini.set(section, ini.get(section) ?? new Map());
      continue;
    }
    const eq = line.indexOf('=');
    ini.get(section)!.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return ini;
}

interface Route {
  dest: string;
  gw: string;
  metric: string;
  options: Record<string, string>;
}

function routesOf(ini: Ini): Route[] {
  const v4 = ini.get('ipv4') ?? new Map<string, string>();
  const out: Route[] = [];
  for (const [k, v] of v4) {
    const m = /^route(\d+)$/.exec(k);
    if (!m) continue;
    const [dest = '', gw = '0.0.0.0', metric = ''] = v.split(',');
    const opts = v4.get(`route${m[1]}_options`) ?? '';
    const options = Object.fromEntries(opts === '' ? [] : opts.split(',').map((o) => o.split('=') as [string, string]));
    out.push({ dest, gw: gw === '' ? '0.0.0.0' : gw, metric, options });
  }
  return out.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** `priority P from S [fwmark M/MASK] table T [suppress_prefixlength N]` as a map; a /32 source is the same as the bare address. */
function rulesOf(ini: Ini): Record<string, string>[] {
  const v4 = ini.get('ipv4') ?? new Map<string, string>();
  const out: Record<string, string>[] = [];
  for (const [k, v] of v4) {
    if (!/^routing-rule\d+$/.test(k)) continue;
    const words = v.split(/\s+/);
    const r: Record<string, string> = {};
    for (let i = 0; i + 1 < words.length; i += 2) r[words[i]!] = words[i + 1]!;
    if (r.from?.endsWith('/32')) r.from = r.from.slice(0, -3);
    out.push(r);
  }
  return out.sort((a, b) => Number(a.priority) - Number(b.priority));
}

function nmcliOffline(keyfile: string): { status: number | null; out: string; err: string } {
  const r = spawnSync('nmcli', ['--offline', 'connection', 'modify', 'connection.autoconnect', 'yes'], { input: keyfile, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function sameKeyfile(sent: string, back: string): void {
  const a = parseIni(sent);
  const b = parseIni(back);
  expect(routesOf(b)).toEqual(routesOf(a));
  expect(rulesOf(b)).toEqual(rulesOf(a));
  for (const [section, key] of [
    ['connection', 'id'],
    ['connection', 'uuid'],
    ['connection', 'interface-name'],
    ['ethernet', 'mac-address'],
    ['ethernet', 'mtu'],
    ['ipv4', 'method'],
    ['ipv4', 'address1'],
    ['ipv4', 'never-default'],
    ['ipv6', 'method'],
  ] as const) {
    expect(b.get(section)?.get(key), `${section}.${key}`).toBe(a.get(section)?.get(key));
  }
}

const dest = (d: string) => (d === 'default' ? '0.0.0.0/0' : d);

/** The routes of one uplink's keyfile according to kernel-state.md (the multipath route is the dispatcher's). */
function expectedUplinkRoutes(model: Model, u: Uplink): Route[] {
  const r: Route[] = [];
  const onlink: Record<string, string> = u.onlink && u.gateway ? { onlink: 'true' } : {};
  if (u.onlink && u.gateway) r.push({ dest: `${u.gateway}/32`, gw: '0.0.0.0', metric: '0', options: { scope: '253', table: '254' } });
  for (const d of model.routes) {
    r.push(
      u.gateway
        ? { dest: dest(d), gw: u.gateway, metric: '0', options: { ...onlink, src: u.address!.address, table: String(u.table) } }
        : { dest: dest(d), gw: '0.0.0.0', metric: '0', options: { scope: '253', src: u.address!.address, table: String(u.table) } },
    );
    if (model.routing.prohibitFallback) r.push({ dest: dest(d), gw: '0.0.0.0', metric: '1', options: { table: String(u.table), type: 'prohibit' } });
  }
  return r.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

const why = missing({ commands: ['nmcli'] });

describe.skipIf(why !== undefined)('nm keyfiles: nmcli --offline round trip', () => {
  it('control: nmcli drops an out-of-range weight with exit 0, and the comparison notices', () => {
    const k = renderNm('seed004-weights').files[0]!.content;
    expect(k).toMatch(/^\[ipv4\]$/m);
    // weights live in the dispatcher now; plant an out-of-range one to prove the comparison bites
    const bad = k.replace(/^\[ipv4\]$/m, '[ipv4]\nroute9=198.51.100.0/24,203.0.113.130,0\nroute9_options=weight=300');
    const r = nmcliOffline(bad);
    expect(r.status).toBe(0);
    expect(() => sameKeyfile(bad, r.out)).toThrow();
  });

  for (const name of FIXTURES) {
    it(`${name}: every route, option and rule survives, and matches the model`, () => {
      const model = fixtureModel(name);
      const c = renderNm(name);
      const keyfiles = c.files.filter((f) => f.path.endsWith('.nmconnection'));
      expect(keyfiles).toHaveLength(model.uplinks.length + (model.lan ? 1 : 0));
      let routes = 0;
      let rules = 0;
      for (const f of keyfiles) {
        const r = nmcliOffline(f.content);
        expect(r.err).toBe('');
        expect(r.status).toBe(0);
        sameKeyfile(f.content, r.out);
        const ini = parseIni(f.content);
        const iface = ini.get('connection')!.get('interface-name');
        const u = model.uplinks.find((x) => x.interface === iface);
        const shared = [{ priority: String(model.routing.mainRulePriority), from: '0.0.0.0/0', suppress_prefixlength: '0', table: '254' }];
        if (model.mode !== 'teql') shared.push({ priority: String(model.routing.multipathRulePriority), from: '0.0.0.0/0', table: String(model.routing.multipathTable) } as (typeof shared)[0]);
        if (u) {
          expect(routesOf(ini)).toEqual(expectedUplinkRoutes(model, u));
          const own: Record<string, string>[] = [{ priority: String(u.rulePriority), from: u.address!.address, table: String(u.table) }];
          // kernel-state.md, "Steering": with a firewall, flows are pinned and each uplink has its fwmark rule
          const marked = model.mode !== 'teql' && model.firewall !== 'none' && (model.routing.pinFlows || model.policies.length > 0);
          if (marked) own.push({ priority: String(u.rulePriority), from: '0.0.0.0/0', fwmark: `0x${((u.index + 1) << 8).toString(16)}/0x3f00`, table: String(u.table) });
          expect(rulesOf(ini)).toEqual([...own, ...shared].sort((a, b) => Number(a.priority) - Number(b.priority)));
          expect(ini.get('ipv4')!.get('address1')).toBe(u.address!.cidr);
          expect(ini.get('ethernet')?.get('mac-address')).toBe(u.mac);
        } else {
          expect(iface).toBe(model.lan?.interface);
          expect(routesOf(ini)).toEqual([]);
          expect(rulesOf(ini)).toEqual(shared);
        }
        routes += routesOf(ini).length;
        rules += rulesOf(ini).length;
      }
      expect(routes).toBeGreaterThan(0);
      expect(rules).toBeGreaterThan(0);
    });
  }
});

/**
 * Stock configuration that merges with mpgen's: Debian's installer leaves
 * `allow-hotplug eth0` / `iface eth0 inet dhcp` in /etc/network/interfaces,
 * and ifupdown merges every stanza for an interface, from every file it reads;
 * cloud-init leaves /etc/netplan/50-cloud-init.yaml, and netplan merges keys
 * mpgen's file does not set (it sets dhcp4, dhcp6 and accept-ra; addresses,
 * routes, nameservers of another file still add up). Reported by `mpgen check`
 * as failed checks, one per stanza, with file and line.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Model } from '../model/model.js';
import { namesOf } from '../state/names.js';
import { fail, pass, type CheckResult } from './result.js';

export interface ForeignStanza {
  /** path on the target system, e.g. /etc/network/interfaces */
  file: string;
  /** 1-based; 0 when the format gives no line (netplan) */
  line: number;
  iface: string;
  text: string;
}

/** Every interface the profile configures. */
export const profileInterfaces = (m: Model): string[] =>
  [...new Set([...m.uplinks.map((u) => u.interface), ...(m.lan ? [m.lan.interface] : []), ...(m.bond ? [m.bond.interface] : [])])];

const filesIn = (root: string, dir: string, match: (name: string) => boolean): string[] => {
  const abs = join(root, dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return [];
  return readdirSync(abs)
    .filter(match)
    .sort()
    .map((n) => `${dir}/${n}`)
    .filter((p) => statSync(join(root, p)).isFile());
};

/** ifupdown stanzas (`iface`, `mapping`, `auto`, `allow-*`) for `ifaces` in files other than `own`. */
export function foreignEniStanzas(root: string, ifaces: string[], own: string): ForeignStanza[] {
  // ifupdown reads /etc/network/interfaces and, through Debian's stock `source`, interfaces.d/*
  // (run-parts names: no dots, so no .dpkg-old or editor backups).
  const files = ['/etc/network/interfaces', ...filesIn(root, '/etc/network/interfaces.d', (n) => /^[A-Za-z0-9_-]+$/.test(n))];
  const out: ForeignStanza[] = [];
  for (const file of files) {
    if (file === own || !existsSync(join(root, file))) continue;
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .forEach((raw, i) => {
        const words = raw.replace(/#.*/, '').trim().split(/\s+/);
        const kw = words[0] ?? '';
        const names = kw === 'iface' || kw === 'mapping' ? words.slice(1, 2) : kw === 'auto' || kw.startsWith('allow-') ? words.slice(1) : [];
        for (const n of names) if (ifaces.includes(n)) out.push({ file, line: i + 1, iface: n, text: raw.trim() });
      });
  }
  return out;
}

/** netplan files other than `own` that define one of `ifaces` (under any device type). */
export function foreignNetplanDefinitions(root: string, ifaces: string[], own: string): ForeignStanza[] {
  const out: ForeignStanza[] = [];
  for (const dir of ['/lib/netplan', '/etc/netplan', '/run/netplan'])
    for (const file of filesIn(root, dir, (n) => n.endsWith('.yaml'))) {
      if (file === own) continue;
      let doc: unknown;
      try {
        doc = parse(readFileSync(join(root, file), 'utf8'));
      } catch {
        continue; // netplan itself reports files it cannot parse
      }
      const network = (doc as { network?: Record<string, unknown> } | null)?.network;
      if (!network || typeof network !== 'object') continue;
      for (const [type, devices] of Object.entries(network)) {
        if (!devices || typeof devices !== 'object' || Array.isArray(devices)) continue;
        for (const id of Object.keys(devices)) if (ifaces.includes(id)) out.push({ file, line: 0, iface: id, text: `network.${type}.${id}` });
      }
    }
  return out;
}

/** One check per profile: no other file configures the profile's interfaces, or one FAIL per stanza. */
export function checkForeignConfig(model: Model, root = '/'): CheckResult[] {
  const ifaces = profileInterfaces(model);
  const { files } = namesOf(model);
  const found = [...foreignEniStanzas(root, ifaces, files.eniInterfaces), ...foreignNetplanDefinitions(root, ifaces, files.netplan)];
  if (found.length === 0) return [pass('config', `no other ifupdown or netplan configuration for ${ifaces.join(', ')}`)];
  return found.map((s) =>
    fail(
      'config',
      `${s.iface} is configured only by mpgen`,
      'no other stanza for it (ifupdown and netplan merge them with mpgen\'s)',
      `${s.text} in ${s.file}${s.line ? `:${s.line}` : ''}`,
    ),
  );
}

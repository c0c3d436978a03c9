/**
 * Helpers shared by the eni tests: render a fixture with the eni backend,
 * write its files under a temporary root, and parse an interfaces file into
 * stanzas (enough of interfaces(5) to check what mpgen writes).
 */
import { mkdirSync, mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { eni } from '../../src/backends/eni.js';
import type { Contribution } from '../../src/backends/backend.js';
import type { PlannedFile } from '../../src/plan/plan.js';
import type { FixtureName } from '../support/fixtures.js';
import { eniContext } from './render-context.js';
import { writeFilesToTemp } from '../support/tree.js';

export interface RenderedEni {
  contribution: Contribution;
  interfaces: PlannedFile;
  helper: PlannedFile;
}

export async function renderEni(name: FixtureName): Promise<RenderedEni> {
  const contribution = eni(await eniContext(name));
  const interfaces = contribution.files.find((f) => f.path.startsWith('/etc/network/interfaces.d/'));
  const helper = contribution.files.find((f) => f.path.endsWith('-eni-shared'));
  if (!interfaces || !helper) throw new Error(`eni rendered no interfaces file or helper for ${name}`);
  return { contribution, interfaces, helper };
}

/** Writes planned files under a fresh directory, root-shaped, with their modes. */
export function writeTree(files: PlannedFile[], prefix = 'mpgen-eni-'): string {
  return writeFilesToTemp(files, prefix);
}

export interface Stanza {
  iface: string;
  family: string;
  method: string;
  auto: boolean;
  options: { key: string; value: string; line: number }[];
}

/** Parses `auto X` and `iface X FAMILY METHOD` blocks; throws on an option outside a stanza. */
export function parseInterfaces(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  const autos = new Set<string>();
  let cur: Stanza | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const words = line.split(/\s+/);
    const head = words[0] ?? '';
    if (!/^\s/.test(raw)) {
      cur = undefined;
      if (head === 'auto') for (const w of words.slice(1)) autos.add(w);
      else if (head === 'iface') {
        cur = { iface: words[1] ?? '', family: words[2] ?? '', method: words[3] ?? '', auto: false, options: [] };
        stanzas.push(cur);
      } else throw new Error(`line ${i + 1}: unexpected top-level "${head}"`);
      return;
    }
    if (!cur) throw new Error(`line ${i + 1}: option outside an iface stanza`);
    cur.options.push({ key: head, value: words.slice(1).join(' '), line: i + 1 });
  });
  for (const s of stanzas) s.auto = autos.has(s.iface);
  return stanzas;
}

/** Options of inet stanzas that ifupdown 0.8 knows (interfaces(5)); anything else it would silently ignore. */
export const COMMAND_OPTIONS = ['pre-up', 'up', 'post-up', 'down', 'pre-down', 'post-down'] as const;
export const KNOWN_OPTIONS: Record<string, readonly string[]> = {
  static: ['address', 'netmask', 'broadcast', 'metric', 'gateway', 'pointopoint', 'hwaddress', 'mtu', 'scope', ...COMMAND_OPTIONS],
  manual: ['hwaddress', 'mtu', ...COMMAND_OPTIONS],
};

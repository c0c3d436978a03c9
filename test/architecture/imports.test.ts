/**
 * The folders of src/ form one pipeline, and imports run only down it:
 * profile -> model -> state -> backends -> distros -> plan -> write / pack,
 * with app, batch and cli on top and base below everything (docs/architecture.md).
 * `mpgen check` sits beside the backends: it reads the state, never a backend.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Rank of each folder: a file may import its own folder or a folder of lower rank, nothing else. */
const LAYERS: Record<string, number> = {
  base: 0,
  profile: 1,
  model: 2,
  state: 3,
  keepalive: 3,
  backends: 4,
  check: 4,
  distros: 5,
  plan: 6,
  write: 7,
  pack: 7,
  app: 8,
  batch: 9,
  cli: 10,
};

/** Known exceptions, each with its reason (none today). */
const EXCEPTIONS: Record<string, string> = {};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const folderOf = (file: string): string => relative(SRC, file).split(sep)[0]!;

interface Edge {
  from: string;
  to: string;
  spec: string;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const f of files(SRC)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.[^']+)'/g)) {
      const target = resolve(dirname(f), m[1]!).replace(/\.js$/, '.ts');
      out.push({ from: relative(SRC, f).split(sep).join('/'), to: relative(SRC, target).split(sep).join('/'), spec: m[1]! });
    }
  }
  return out;
}

/** The imports that run up (or sideways, between two folders of one rank). */
function violations(es: Edge[]): string[] {
  return es
    .filter((e) => {
      const a = e.from.split('/')[0]!;
      const b = e.to.split('/')[0]!;
      if (a === b || EXCEPTIONS[`${a} -> ${e.to}`] !== undefined) return false;
      return !(LAYERS[b]! < LAYERS[a]!);
    })
    .map((e) => `${e.from} imports ${e.spec}`);
}

describe('import direction', () => {
  const all = edges();

  it('finds the imports (the scan itself works)', () => {
    expect(all.length).toBeGreaterThan(100);
    expect(all.some((e) => e.from === 'plan/render.ts' && e.to === 'backends/registry.ts')).toBe(true);
    expect(all.some((e) => e.from === 'cli/commands/render.ts' && e.spec.startsWith('./plan-cli'))).toBe(true);
  });

  it('knows every folder of src/', () => {
    const folders = [...new Set(files(SRC).map(folderOf))].filter((f) => !f.endsWith('.ts'));
    expect(folders.filter((f) => LAYERS[f] === undefined)).toEqual([]);
  });

  it('no import runs up the pipeline', () => {
    expect(violations(all)).toEqual([]);
  });

  it('would catch one: a backend importing the plan, the check importing a backend', () => {
    const fake: Edge[] = [
      { from: 'backends/nm.ts', to: 'plan/plan.ts', spec: '../plan/plan.js' },
      { from: 'check/check-kernel.ts', to: 'backends/nm.ts', spec: '../backends/nm.js' },
      { from: 'backends/nm.ts', to: 'state/state.ts', spec: '../state/state.js' },
    ];
    expect(violations(fake)).toEqual(['backends/nm.ts imports ../plan/plan.js', 'check/check-kernel.ts imports ../backends/nm.js']);
  });
});

describe('backends translate the kernel state', () => {
  // The model facts that the state turns into routes, rules, sysctls and NAT: a backend that reads
  // them builds kernel state of its own. Every file of src/backends, the keepalive's included.
  const FACTS = /\bu\.(onlink|gateway|ruleFrom|address|noPrefixRoute)\b|\b(model|m)\.(routes|routing|sysctl|nat)\b|\.(bond|lan)\.(address|gateway|nat)\b/;
  const backends = files(join(SRC, 'backends'));

  it('no backend reads those model facts directly', () => {
    expect(backends.map((f) => relative(SRC, f).split(sep).join('/'))).toContain('backends/keepalive.ts');
    const found = backends.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (FACTS.test(line) ? [`${relative(SRC, f)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });

  it('the pattern catches what it is for', () => {
    for (const line of ['if (u.onlink && u.gateway)', 'for (const d of model.routes)', 'm.routing.multipathTable', 'model.bond.address.cidr'])
      expect(FACTS.test(line)).toBe(true);
    for (const line of ['routesOf(state, u.name, "uplink")', 'r.gateway', 'u.interface']) expect(FACTS.test(line)).toBe(false);
  });
});

/**
 * The one distro registry, built from distros/*.yaml with family inheritance
 * (rocky inherits rhel, ubuntu inherits debian). It drives --distro choices,
 * `mpgen distros`, error hints and the tests. A definition that is incomplete
 * after inheritance fails when the registry loads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as z from 'zod/mini';
import { BACKEND_NAMES } from '../backends/catalog.js';
import { distrosDir } from '../base/resources.js';
import { didYouMean } from '../profile/diagnostics.js';
import type { Distro } from './distro.js';
import { PACKAGE_FORMATS } from '../base/package-formats.js';

/** The bundled build embeds distros/*.yaml already parsed (scripts/build.mjs): no YAML parse at startup. */
declare const __MPGEN_DISTROS__: Record<string, unknown> | undefined;

// zod/mini, like the profile schema: classic zod would stay in the bundle for this alone.
const str = () => z.optional(z.string());
const rawSchema = z.strictObject({
  name: z.string().check(z.regex(/^[a-z][a-z0-9-]*$/)),
  family: str(),
  release: str(),
  description: str(),
  default_backend: z.optional(z.enum(BACKEND_NAMES)),
  backends: z.optional(z.array(z.enum(BACKEND_NAMES))),
  package_format: z.optional(z.enum(PACKAGE_FORMATS)),
  versions: z.optional(
    z.strictObject({
      systemd: z.optional(z.int()),
      iproute2: str(),
      networkmanager: str(),
      netplan: str(),
      network_scripts: str(),
    }),
  ),
  paths: z.optional(z.strictObject({ hooks: str(), network_scripts: str(), libexec: str(), units: str() })),
});
type Raw = z.infer<typeof rawSchema>;

/** distros/*.yaml by file stem, parsed. */
function sources(): Record<string, unknown> {
  if (typeof __MPGEN_DISTROS__ !== 'undefined') return __MPGEN_DISTROS__;
  const dir = distrosDir();
  const out: Record<string, unknown> = {};
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.yaml')) out[f.slice(0, -5)] = parse(readFileSync(join(dir, f), 'utf8'));
  return out;
}

function resolve(name: string, raws: Map<string, Raw>, seen: string[] = []): Raw {
  const r = raws.get(name);
  if (!r) throw new Error(`distro registry: unknown family "${name}" (from ${seen.join(' -> ')})`);
  if (!r.family || r.family === name) return r;
  if (seen.includes(name)) throw new Error(`distro registry: family cycle ${[...seen, name].join(' -> ')}`);
  const parent = resolve(r.family, raws, [...seen, name]);
  return {
    ...parent,
    ...r,
    versions: { ...parent.versions, ...r.versions },
    paths: { ...parent.paths, ...r.paths },
    family: parent.family && parent.family !== parent.name ? parent.family : parent.name,
  };
}

function complete(r: Raw): Distro {
  const missing = (k: string) => new Error(`distro registry: ${r.name} has no ${k} after inheritance`);
  const v = r.versions ?? {};
  const p = r.paths ?? {};
  if (!r.default_backend) throw missing('default_backend');
  if (!r.backends?.includes(r.default_backend)) throw new Error(`distro registry: ${r.name}: default_backend ${r.default_backend} is not in backends`);
  if (!r.package_format) throw missing('package_format');
  if (v.systemd === undefined || v.iproute2 === undefined) throw missing('versions.systemd/iproute2');
  if (!p.hooks || !p.network_scripts || !p.libexec || !p.units) throw missing('paths');
  return {
    name: r.name,
    family: r.family ?? r.name,
    release: r.release ?? '',
    description: r.description ?? r.name,
    defaultBackend: r.default_backend,
    backends: r.backends,
    packageFormat: r.package_format,
    versions: { systemd: v.systemd, iproute2: v.iproute2, networkmanager: v.networkmanager, netplan: v.netplan, networkScripts: v.network_scripts },
    paths: { hooks: p.hooks, networkScripts: p.network_scripts, libexec: p.libexec, units: p.units },
  };
}

let registry: Map<string, Distro> | undefined;

export function distroRegistry(): Map<string, Distro> {
  if (registry) return registry;
  const raws = new Map<string, Raw>();
  for (const [file, data] of Object.entries(sources())) {
    const parsed = rawSchema.safeParse(data);
    if (!parsed.success) throw new Error(`distro registry: distros/${file}.yaml: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (parsed.data.name !== file) throw new Error(`distro registry: distros/${file}.yaml declares name ${parsed.data.name}`);
    raws.set(file, parsed.data);
  }
  const m = new Map<string, Distro>();
  for (const name of [...raws.keys()].sort()) m.set(name, complete(resolve(name, raws)));
  registry = m;
  return m;
}

export const distroNames = (): string[] => [...distroRegistry().keys()];

export class UnknownDistroError extends Error {}

export function getDistro(name: string): Distro {
  const d = distroRegistry().get(name);
  if (d) return d;
  const guess = didYouMean(name, distroNames());
  throw new UnknownDistroError(`unknown distro "${name}".${guess ? ` Did you mean "${guess}"?` : ''} Known distros: ${distroNames().join(', ')}`);
}

/**
 * The application step both `mpgen package` and `mpgen package --batch` run
 * after planning: build with the registry's packager, write the package and
 * its side files atomically into one directory. No console, no exit codes:
 * the callers report.
 */
import { join } from 'node:path';
import type { PackageMeta, PackOptions } from '../pack/meta.js';
import type { PackageFormat } from '../base/package-formats.js';
import { packager } from '../pack/registry.js';
import type { Plan } from '../plan/plan.js';
import { writeFileAtomically } from '../write/atomic-file.js';

export interface WrittenPackage {
  /** the package, then its side files */
  paths: string[];
  /** what to tell the user about the side files */
  hints: string[];
}

/** The package's file name, known before building it (batch claims it first). */
export const packageFileName = (format: PackageFormat, meta: PackageMeta): string => packager(format).fileName(meta);

export function writePackage(plan: Plan, meta: PackageMeta, format: PackageFormat, outDir: string, opts?: PackOptions): WrittenPackage {
  const p = packager(format);
  const pkg = p.build(plan, meta, opts);
  const path = join(outDir, pkg.fileName);
  writeFileAtomically(path, pkg.bytes);
  const out: WrittenPackage = { paths: [path], hints: [] };
  for (const side of p.sideFiles(plan, meta)) {
    const sidePath = join(outDir, side.fileName);
    writeFileAtomically(sidePath, side.content);
    out.paths.push(sidePath);
    if (side.hint) out.hints.push(side.hint(sidePath, path));
  }
  return out;
}

/**
 * The one packager registry: for each format, the file it writes, how it is
 * built from a plan, and the files that go beside it. `mpgen package`, its
 * --batch mode and `mpgen bundle` all go through it (src/app/package-profile.ts).
 */
import type { Plan } from '../plan/plan.js';
import { buildBundle, bundleFileName } from './bundle.js';
import { buildDeb, debFileName } from './deb.js';
import type { PackageFormat } from '../base/package-formats.js';
import type { PackageMeta, PackOptions } from './meta.js';
import { buildRpm, rpmFileName } from './rpm.js';
import { rpmlintrc } from './rpmlint.js';

export interface SideFile {
  /** file name in the same directory as the package */
  fileName: string;
  content: string;
  /** said on stderr once it is written */
  hint?: (path: string, pkgPath: string) => string;
}

export interface Packager {
  format: PackageFormat;
  fileName(meta: PackageMeta): string;
  build(plan: Plan, meta: PackageMeta, opts?: PackOptions): { fileName: string; bytes: Buffer };
  sideFiles(plan: Plan, meta: PackageMeta): SideFile[];
}

const none = (): SideFile[] => [];

export const PACKAGERS: { readonly [F in PackageFormat]: Packager & { format: F } } = {
  deb: { format: 'deb', fileName: debFileName, build: buildDeb, sideFiles: none },
  rpm: {
    format: 'rpm',
    fileName: rpmFileName,
    build: buildRpm,
    // rpmlint errors on unused filters, so the filters are per package
    sideFiles: (plan, meta) => [
      {
        fileName: rpmFileName(meta).replace(/\.noarch\.rpm$/, '.rpmlintrc'),
        content: rpmlintrc(plan, meta.name),
        hint: (rc, pkg) => `rpmlint filters for the accepted findings: rpmlint -r ${rc} ${pkg}`,
      },
    ],
  },
  tar: { format: 'tar', fileName: bundleFileName, build: buildBundle, sideFiles: none },
};

export const packager = (format: PackageFormat): Packager => PACKAGERS[format];

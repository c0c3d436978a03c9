/**
 * The rpmlint filters a package needs, and only those: rpmlint 2.4 reports a
 * filter that matches nothing as an error (unused-rpmlintrc-filter). The
 * reasons are in docs/packaging.md; docs/mpgen.rpmlintrc lists them all.
 */
import type { Plan } from '../plan/plan.js';
import { placedFiles, rpmPath } from './rpm.js';
import { planFiles } from './tree.js';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * rpmlint (TagsCheck) reads a trailing word of two or three letters in the
 * package name as a language code and wants a locales-WORD dependency, as for
 * a language pack: mpgen-branch-six is named after a site, not a language.
 */
export const languageLikeSuffix = (pkg: string): string | undefined => /-([a-z]{2,3})$/.exec(pkg)?.[1];

export function rpmlintrc(plan: Plan, pkg: string): string {
  // the paths the .rpm has: a file whose name the system fixes is shipped staged under /usr/share
  const files = planFiles(plan).map((f) => ({ ...f, path: rpmPath(plan, f) }));
  const lines = ['# rpmlint filters for this mpgen package: rpmlint -r THIS_FILE PACKAGE.rpm', '# Reasons: docs/packaging.md'];
  const secret = files.filter((f) => f.mode === 0o600);
  if (secret.length > 0) lines.push('# 0600 on purpose: NetworkManager keyfiles and netplan YAML may hold secrets.');
  for (const f of secret) lines.push(`addFilter("non-readable ${escape(f.path)} 600")`);
  lines.push('# mpgen does not sign; sign with rpmsign --addsign where hosts verify signatures.', 'addFilter("no-signature")');
  if (files.some((f) => f.path.startsWith('/usr/lib/'))) {
    lines.push('# systemd units and presets belong in /usr/lib even in a noarch package.', 'addFilter("only-non-binary-in-usr-lib")');
  }
  lines.push('# A generated site package: the documentation is mpgen\'s own.', 'addFilter("no-documentation")');
  const hooks = files.filter((f) => /^\/usr\/s?bin\//.test(f.path));
  if (hooks.length > 0) {
    lines.push('# if*-local and friends are hooks called by network scripts, not commands.');
    for (const f of hooks) lines.push(`addFilter("no-manual-page-for-binary ${escape(f.path.slice(f.path.lastIndexOf('/') + 1))}$")`);
  }
  if (placedFiles(plan).length > 0) {
    lines.push(
      '# %posttrans copies the files whose names initscripts fixes from /usr/share/mpgen/PROFILE/root into place',
      '# (no package may own them: every profile writes them), keeping a file that was there before as FILE.mpgen.orig.',
      'addFilter("dangerous-command-in-%posttrans cp$")',
    );
  }
  const lang = languageLikeSuffix(pkg);
  if (lang) {
    lines.push(`# "-${lang}" ends the name of a site package, not of a language pack: no locales-${lang} to depend on.`, `addFilter("no-dependency-on locales-${lang}$")`);
  }
  lines.push("# rpmlint's default configuration has an empty license list; MIT is valid SPDX.", 'addFilter("invalid-license MIT")');
  return `${lines.join('\n')}\n`;
}

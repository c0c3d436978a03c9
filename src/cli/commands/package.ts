import type { Command } from 'commander';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../user-error.js';

const FORMATS = ['deb', 'rpm'] as const;

export function registerPackage(program: Command): void {
  program
    .command('package')
    .description('Write a .deb or .rpm of the rendered configuration (name_version_all.deb, name-version-release.noarch.rpm)')
    .requiredOption('-d, --distro <name>', 'target distro (see `mpgen distros`)')
    .requiredOption('-f, --format <format>', 'package format: deb or rpm')
    .option('-p, --profile <file>', 'profile to read, - for standard input (default: ./mpgen.yaml, else the embedded default)')
    .option('-b, --backend <name>', 'backend instead of the distro default')
    .option('-o, --out <dir>', 'output directory (default: .)', '.')
    .option('--batch <dir-or-glob>', 'one package per profile of a directory (*.yaml, *.yml) or a glob, all into -o')
    .option('-j, --jobs <n>', 'with --batch: worker threads (default: one per core; 0: none)')
    .addHelpText('after', '\nReproducible: mtimes come from SOURCE_DATE_EPOCH, else from the profile.\nLint notes and overrides: docs/packaging.md.\n\nExamples:\n  $ mpgen package --distro debian --format deb -p office.yaml -o out/\n  $ SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) mpgen package --distro rocky --format rpm')
    .action(async (opts: { distro: string; format: string; profile?: string; backend?: string; out: string; batch?: string; jobs?: string }) => {
      const format = FORMATS.find((f) => f === opts.format);
      if (!format) throw new UserError(`mpgen: --format ${opts.format}: expected deb or rpm`, 2);
      if (opts.batch !== undefined) {
        if (opts.profile !== undefined) throw new UserError('mpgen: --batch and -p do not go together: the batch names the profiles', 2);
        const { runBatchCli } = await import('./batch-cli.js');
        return runBatchCli({ kind: 'package', format, spec: opts.batch, distro: opts.distro, backend: opts.backend, out: opts.out, nameBy: 'name', jobs: opts.jobs });
      }
      if (opts.jobs !== undefined) throw new UserError('mpgen: --jobs goes with --batch', 2);
      const [{ buildDeb }, { buildRpm }, { rpmlintrc }, { loadModelForCli }, { planForCli, printNotes }] = await Promise.all([
        import('../../pack/deb.js'),
        import('../../pack/rpm.js'),
        import('../../pack/rpmlint.js'),
        import('../load-model.js'),
        import('./plan-cli.js'),
      ]);
      const build = format === 'deb' ? buildDeb : buildRpm;
      const { model } = loadModelForCli(opts.profile);
      const plan = planForCli(model, opts.distro, opts.backend);
      printNotes(plan);
      const pkg = build(plan, model.package);
      if (existsSync(opts.out) && !statSync(opts.out).isDirectory()) throw new UserError(`mpgen: -o ${opts.out} is a file; -o names a directory`, 2);
      mkdirSync(opts.out, { recursive: true });
      const path = join(opts.out, pkg.fileName);
      writeFileSync(path, pkg.bytes);
      process.stdout.write(`${path}\n`);
      if (opts.format === 'rpm') {
        // rpmlint errors on unused filters, so the filters are per package
        const rc = path.replace(/\.noarch\.rpm$/, '.rpmlintrc');
        writeFileSync(rc, rpmlintrc(plan));
        process.stderr.write(`mpgen: rpmlint filters for the accepted findings: rpmlint -r ${rc} ${path}\n`);
      }
    });
}

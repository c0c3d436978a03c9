import type { Command } from 'commander';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { FORMAT_OUTPUTS, formatChoices, isPackageFormat, PACKAGE_FORMATS } from '../../base/package-formats.js';
import { UserError } from '../../base/user-error.js';

export function registerPackage(program: Command): void {
  program
    .command('package')
    .description('Write a package of the rendered configuration, one of: deb, rpm, tar (see --format)')
    .requiredOption('-d, --distro <name>', 'target distro (see `mpgen distros`)')
    .requiredOption('-f, --format <format>', `package format: ${formatChoices()}`)
    .option('-p, --profile <file>', 'profile to read, - for standard input (default: ./mpgen.yaml, else the embedded default)')
    .option('-b, --backend <name>', 'backend instead of the distro default')
    .option('-o, --out <dir>', 'output directory (default: .)', '.')
    .option('--batch <dir-or-glob>', 'one package per profile of a directory (*.yaml, *.yml) or a glob, all into -o')
    .option('-j, --jobs <n>', 'with --batch: worker threads (default: one per core; 0: none)')
    .addHelpText(
      'after',
      `\nFormats:\n${PACKAGE_FORMATS.map((f) => `  ${f.padEnd(4)} ${FORMAT_OUTPUTS[f]}`).join('\n')}\n\nReproducible: mtimes come from SOURCE_DATE_EPOCH, else from the profile.\nLint notes and overrides: docs/packaging.md.\n\nExamples:\n  $ mpgen package --distro debian --format deb -p office.yaml -o out/\n  $ SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) mpgen package --distro rocky --format rpm`,
    )
    .action(async (opts: { distro: string; format: string; profile?: string; backend?: string; out: string; batch?: string; jobs?: string }) => {
      const format = opts.format;
      if (!isPackageFormat(format)) throw new UserError(`mpgen: --format ${opts.format}: expected ${formatChoices()}`, 2);
      if (opts.batch !== undefined) {
        if (opts.profile !== undefined) throw new UserError('mpgen: --batch and -p do not go together: the batch names the profiles', 2);
        const { runBatchCli } = await import('./batch-cli.js');
        return runBatchCli({ kind: 'package', format, spec: opts.batch, distro: opts.distro, backend: opts.backend, out: opts.out, nameBy: 'name', jobs: opts.jobs });
      }
      if (opts.jobs !== undefined) throw new UserError('mpgen: --jobs goes with --batch', 2);
      const [{ writePackage }, { loadModelForCli }, { planForCli, printNotes }] = await Promise.all([
        import('../../app/package-profile.js'),
        import('../load-model.js'),
        import('./plan-cli.js'),
      ]);
      const { model } = loadModelForCli(opts.profile);
      const plan = planForCli(model, opts.distro, opts.backend);
      printNotes(plan);
      if (existsSync(opts.out) && !statSync(opts.out).isDirectory()) throw new UserError(`mpgen: -o ${opts.out} is a file; -o names a directory`, 2);
      mkdirSync(opts.out, { recursive: true });
      const written = writePackage(plan, model.package, format, opts.out);
      process.stdout.write(`${written.paths[0]}\n`);
      for (const h of written.hints) process.stderr.write(`mpgen: ${h}\n`);
    });
}

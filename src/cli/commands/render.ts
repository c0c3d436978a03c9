import type { Command } from 'commander';
import { basename, dirname, join, resolve } from 'node:path';
import { printable } from '../../base/printable.js';
import { backendList } from '../../backends/catalog.js';
import { UserError } from '../../base/user-error.js';

interface RenderOptions {
  distro: string;
  profile?: string;
  out?: string;
  backend?: string;
  dryRun?: boolean;
  batch?: string;
  nameBy?: string;
  jobs?: string;
}

export function registerRender(program: Command): void {
  program
    .command('render')
    .description('Render the native network configuration of one distro as a root-shaped tree')
    .requiredOption('-d, --distro <name>', 'target distro (see `mpgen distros`)')
    .option('-p, --profile <file>', 'profile to read, - for standard input (default: ./mpgen.yaml, else the embedded default)')
    .option('-o, --out <dir>', 'output directory (default: dist/<distro>); replaced atomically')
    .option('-b, --backend <name>', `backend instead of the distro default (${backendList()})`)
    .option('-n, --dry-run', 'print the plan (mode, size, path) and write nothing')
    .option('--batch <dir-or-glob>', 'render every profile of a directory (*.yaml, *.yml) or a glob, one subdirectory of -o each')
    .option('--name-by <name|stem>', 'with --batch: name each subdirectory after the profile name or the file stem', 'name')
    .option('-j, --jobs <n>', 'with --batch: worker threads (default: one per core; 0: none)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mpgen render --distro fedora\n  $ mpgen render --distro rhel --backend nm -p office.yaml -o out/rhel\n  $ mpgen render --distro ubuntu --dry-run\n  $ mpgen render --distro debian --batch "customers/*.yaml" -o out/debian\n\nWith --batch: a progress bar on a terminal, a summary of failures with their\nlocations at the end, exit 1 if any profile failed (the others are written).',
    )
    .action(async (opts: RenderOptions) => {
      if (opts.batch !== undefined) return renderBatch(opts);
      if (opts.nameBy !== 'name' || opts.jobs !== undefined) throw new UserError('mpgen: --name-by and --jobs go with --batch', 2);
      const [{ loadModelForCli }, { planForCli, printNotes, modeString }, { OutputPathError, writePlanTree }, { recoverInterrupted }] = await Promise.all([
        import('../load-model.js'),
        import('./plan-cli.js'),
        import('../../write/write-tree.js'),
        import('../../write/interrupted.js'),
      ]);
      const { model } = loadModelForCli(opts.profile);
      const plan = planForCli(model, opts.distro, opts.backend);
      printNotes(plan);
      if (opts.dryRun) {
        process.stdout.write(`# plan for ${plan.name} on ${plan.distro} (backend ${plan.backend}); nothing written\n`);
        for (const f of plan.files) process.stdout.write(`${modeString(f.mode)} ${String(Buffer.byteLength(f.content)).padStart(6)} ${f.path}\n`);
        if (plan.enable.length) process.stdout.write(`# units to enable: ${plan.enable.join(' ')}\n`);
        return;
      }
      const out = opts.out ?? join('dist', plan.distro);
      const recovery = recoverInterrupted(dirname(resolve(out)), basename(resolve(out)));
      for (const t of recovery.restored) process.stderr.write(`mpgen: restored ${t}, which an interrupted render had moved aside\n`);
      let res;
      try {
        res = writePlanTree(plan, out);
      } catch (e) {
        if (e instanceof OutputPathError) throw new UserError(`mpgen: ${e.message}`, 1);
        throw e;
      }
      for (const f of res.written) process.stdout.write(`${modeString(f.mode)} ${String(f.bytes).padStart(6)} ${join(out, f.path)}\n`);
      for (const p of res.removed) process.stderr.write(`mpgen: removed ${printable(join(out, p))} (not in the plan)\n`);
      process.stderr.write(
        res.unchanged
          ? `mpgen: ${out} already holds these ${res.written.length} files for ${plan.name} on ${plan.distro} (backend ${plan.backend}); left as it is\n`
          : `mpgen: wrote ${res.written.length} files for ${plan.name} on ${plan.distro} (backend ${plan.backend}) under ${out}\n`,
      );
    });
}

async function renderBatch(opts: RenderOptions): Promise<void> {
  if (opts.profile !== undefined) throw new UserError('mpgen: --batch and -p do not go together: the batch names the profiles', 2);
  if (opts.dryRun) throw new UserError('mpgen: --batch and --dry-run do not go together; use `mpgen validate` per profile', 2);
  if (opts.nameBy !== 'name' && opts.nameBy !== 'stem') throw new UserError(`mpgen: --name-by ${opts.nameBy}: expected name or stem`, 2);
  const { runBatchCli } = await import('./batch-cli.js');
  await runBatchCli({ kind: 'render', spec: opts.batch!, distro: opts.distro, backend: opts.backend, out: opts.out ?? `dist/${opts.distro}`, nameBy: opts.nameBy, jobs: opts.jobs });
}

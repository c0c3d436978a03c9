import type { Command } from 'commander';
import { join } from 'node:path';
import { getDistro, distroNames, UnknownDistroError } from '../../distros/registry.js';
import type { Plan } from '../../plan/plan.js';
import { BackendChoiceError, renderPlan } from '../../plan/render.js';
import { OutputPathError, writePlanTree } from '../../write/write-tree.js';
import type { Model } from '../../model/model.js';
import { loadModelForCli } from '../load-model.js';
import { UserError } from '../user-error.js';

/** Resolves --distro/--backend into a plan, mapping choice errors to usage errors (exit 2). */
export function planForCli(model: Model, distro: string | undefined, backend?: string): Plan {
  if (!distro) throw new UserError(`mpgen: --distro is required (one of: ${distroNames().join(', ')})`, 2);
  try {
    return renderPlan(model, getDistro(distro), backend);
  } catch (e) {
    if (e instanceof UnknownDistroError || e instanceof BackendChoiceError) throw new UserError(`mpgen: ${e.message}`, 2);
    throw e;
  }
}

export const modeString = (mode: number): string => `0${mode.toString(8)}`;

export function printNotes(plan: Plan): void {
  for (const n of plan.notes) process.stderr.write(`note: ${n}\n`);
}

export function registerRender(program: Command): void {
  program
    .command('render')
    .description('Render the native network configuration of one distro as a root-shaped tree')
    .requiredOption('-d, --distro <name>', 'target distro (see `mpgen distros`)')
    .option('-p, --profile <file>', 'profile to read (default: ./mpgen.yaml, else the embedded default)')
    .option('-o, --out <dir>', 'output directory (default: dist/<distro>); replaced atomically')
    .option('-b, --backend <name>', 'backend instead of the distro default (ifcfg, nm, eni, networkd, netplan)')
    .option('-n, --dry-run', 'print the plan (mode, size, path) and write nothing')
    .addHelpText('after', '\nExamples:\n  $ mpgen render --distro fedora\n  $ mpgen render --distro rhel --backend nm -p office.yaml -o out/rhel\n  $ mpgen render --distro ubuntu --dry-run')
    .action((opts: { distro: string; profile?: string; out?: string; backend?: string; dryRun?: boolean }) => {
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
      let res;
      try {
        res = writePlanTree(plan, out);
      } catch (e) {
        if (e instanceof OutputPathError) throw new UserError(`mpgen: ${e.message}`, 1);
        throw e;
      }
      for (const f of res.written) process.stdout.write(`${modeString(f.mode)} ${String(f.bytes).padStart(6)} ${join(out, f.path)}\n`);
      process.stderr.write(`mpgen: wrote ${res.written.length} files for ${plan.name} on ${plan.distro} (backend ${plan.backend}) under ${out}\n`);
    });
}

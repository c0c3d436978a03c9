import type { Command } from 'commander';
import { UserError } from '../../base/user-error.js';
import { writeFileAtomically } from '../../write/atomic-file.js';

export function registerBundle(program: Command): void {
  program
    .command('bundle')
    .description('Write a tarball with the rendered tree, install.sh, uninstall.sh and a MANIFEST (sha256 and mode per file)')
    .requiredOption('-d, --distro <name>', 'target distro (see `mpgen distros`)')
    .option('-p, --profile <file>', 'profile to read, - for standard input (default: ./mpgen.yaml, else the embedded default)')
    .option('-b, --backend <name>', 'backend instead of the distro default')
    .option('-o, --out <file>', 'output file (default: NAME-VERSION.tar.gz)')
    .addHelpText('after', '\nReproducible: mtimes come from SOURCE_DATE_EPOCH, else from the profile.\n\nExamples:\n  $ mpgen bundle --distro debian -p office.yaml\n  $ tar xzf mpgen-office-1.0.0.tar.gz && sudo mpgen-office-1.0.0/install.sh --root /mnt/image')
    .action(async (opts: { distro: string; profile?: string; backend?: string; out?: string }) => {
      const [{ packager }, { loadModelForCli }, { planForCli, printNotes }] = await Promise.all([
        import('../../pack/registry.js'),
        import('../load-model.js'),
        import('./plan-cli.js'),
      ]);
      const { model } = loadModelForCli(opts.profile);
      const plan = planForCli(model, opts.distro, opts.backend);
      printNotes(plan);
      const b = packager('tar').build(plan, model.package);
      const out = opts.out ?? b.fileName;
      if (!out.endsWith('.tar.gz') && !out.endsWith('.tgz')) throw new UserError(`mpgen: -o ${out}: a bundle is a .tar.gz; name it e.g. ${b.fileName}`, 2);
      writeFileAtomically(out, b.bytes);
      process.stdout.write(`${out}\n`);
    });
}

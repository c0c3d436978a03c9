import type { Command } from 'commander';

export function registerInstall(program: Command): void {
  program
    .command('install')
    .description('Copy the rendered tree onto a mounted image (like install.sh --root): modes, backups, manifest, systemctl --root enable')
    .requiredOption('-d, --distro <name>', 'target distro (see `mpgen distros`)')
    .requiredOption('-r, --root <dir>', 'root of the mounted image')
    .option('-p, --profile <file>', 'profile to read, - for standard input (default: ./mpgen.yaml, else the embedded default)')
    .option('-b, --backend <name>', 'backend instead of the distro default')
    .option('--allow-live-root', 'allow --root / (installs onto this running system, applies sysctl, restarts units)')
    .addHelpText('after', '\nUndo with: ROOT/var/lib/mpgen/PACKAGE/uninstall.sh --root ROOT\n\nExample:\n  $ sudo mpgen install --distro debian --root /mnt/image -p office.yaml')
    .action(async (opts: { distro: string; root: string; profile?: string; backend?: string; allowLiveRoot?: boolean }) => {
      const [{ installPlan }, { loadModelForCli }, { planForCli, printNotes }] = await Promise.all([
        import('../../pack/install.js'),
        import('../load-model.js'),
        import('./plan-cli.js'),
      ]);
      const { model } = loadModelForCli(opts.profile);
      const plan = planForCli(model, opts.distro, opts.backend);
      printNotes(plan);
      const r = installPlan(plan, model.package, { root: opts.root, allowLiveRoot: opts.allowLiveRoot === true });
      for (const p of r.installed) process.stdout.write(`${p}\n`);
      for (const p of r.backedUp) process.stderr.write(`mpgen: backed up ${p} (uninstall.sh restores it)\n`);
      for (const w of r.warnings) process.stderr.write(`mpgen: ${w}\n`);
      process.stderr.write(`mpgen: installed ${r.installed.length} files for ${plan.name} under ${r.root}; enabled: ${r.enabled.join(' ') || 'none'}\n`);
    });
}

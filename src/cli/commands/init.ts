import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { UserError } from '../../shared/user-error.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Write the embedded example profile (four ADSL lines bonded with teql, seed 003)')
    .option('-o, --out <file>', 'where to write it ("-" for stdout)', 'mpgen.yaml')
    .option('-f, --force', 'overwrite an existing file')
    .addHelpText('after', '\nExample:\n  $ mpgen init -o office.yaml && mpgen validate -p office.yaml')
    .action(async (opts: { out: string; force?: boolean }) => {
      const { DEFAULT_PROFILE_YAML } = await import('../../profile/default-profile.js');
      if (opts.out === '-') {
        process.stdout.write(DEFAULT_PROFILE_YAML);
        return;
      }
      try {
        writeFileSync(opts.out, DEFAULT_PROFILE_YAML, { flag: opts.force ? 'w' : 'wx' });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new UserError(`mpgen: ${opts.out} already exists; use --force to overwrite it`, 1);
        throw new UserError(`mpgen: cannot write ${opts.out}: ${code ?? (e as Error).message}`, 1);
      }
      process.stderr.write(`mpgen: wrote ${opts.out}\n`);
    });
}

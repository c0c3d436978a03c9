import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../../base/user-error.js';

/** The schema file `mpgen init` writes beside the profile, and the line that points editors at it. */
export const SCHEMA_FILE = 'mpgen.schema.json';
export const SCHEMA_LINE = `# yaml-language-server: $schema=./${SCHEMA_FILE}\n`;

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Write the embedded example profile (four ADSL lines bonded with teql), and its JSON Schema beside it for editors')
    .option('-o, --out <file>', 'where to write it ("-" for stdout)', 'mpgen.yaml')
    .option('-f, --force', 'overwrite an existing file')
    .option('--no-schema', `write neither ${SCHEMA_FILE} nor the yaml-language-server line that points at it`)
    .addHelpText('after', '\nExample:\n  $ mpgen init -o office.yaml && mpgen validate -p office.yaml')
    .action(async (opts: { out: string; force?: boolean; schema: boolean }) => {
      const { DEFAULT_PROFILE_YAML } = await import('../../profile/default-profile.js');
      const text = opts.schema ? SCHEMA_LINE + DEFAULT_PROFILE_YAML : DEFAULT_PROFILE_YAML;
      if (opts.out === '-') {
        process.stdout.write(text);
        if (opts.schema) process.stderr.write(`mpgen: editors read the schema from ./${SCHEMA_FILE}: mpgen schema > ${SCHEMA_FILE}\n`);
        return;
      }
      const write = (file: string, content: string, flag: string): void => {
        try {
          writeFileSync(file, content, { flag });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EEXIST') throw new UserError(`mpgen: ${file} already exists; use --force to overwrite it`, 1);
          throw new UserError(`mpgen: cannot write ${file}: ${code ?? (e as Error).message}`, 1);
        }
      };
      write(opts.out, text, opts.force ? 'w' : 'wx');
      if (!opts.schema) {
        process.stderr.write(`mpgen: wrote ${opts.out}\n`);
        return;
      }
      // mpgen's own file, derived from this version's schema: refreshed every time.
      const schemaPath = join(dirname(opts.out), SCHEMA_FILE);
      const { profileJsonSchema } = await import('../../profile/json-schema.js');
      write(schemaPath, `${JSON.stringify(profileJsonSchema(), null, 2)}\n`, 'w');
      process.stderr.write(`mpgen: wrote ${opts.out} and ${schemaPath} (editors with the YAML language server validate the profile as you type)\n`);
    });
}

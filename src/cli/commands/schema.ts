import type { Command } from 'commander';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('Print the JSON Schema of the profile (for editors: yaml-language-server)')
    .addHelpText('after', '\nExample:\n  $ mpgen schema > mpgen.schema.json')
    .action(async () => {
      const { profileJsonSchema } = await import('../../profile/json-schema.js');
      process.stdout.write(`${JSON.stringify(profileJsonSchema(), null, 2)}\n`);
    });
}

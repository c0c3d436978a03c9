import type { Command } from 'commander';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('Print the JSON Schema of the profile (for editors: yaml-language-server)')
    .addHelpText('after', '\nExample:\n  $ mpgen schema > mpgen.schema.json\n\nThen start the profile with:\n  # yaml-language-server: $schema=./mpgen.schema.json\n(`mpgen init` does both.) The same keys, with the rules across keys: docs/profile.md.')
    .action(async () => {
      const { profileJsonSchema } = await import('../../profile/json-schema.js');
      process.stdout.write(`${JSON.stringify(profileJsonSchema(), null, 2)}\n`);
    });
}

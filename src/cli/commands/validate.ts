import type { Command } from 'commander';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Check a profile; every problem is reported with file:line:col, the key path and a fix')
    .option('-p, --profile <file>', 'profile to read, - for standard input (default: ./mpgen.yaml, else the embedded default)')
    .option('--print-model', 'print the normalized model as JSON on stdout')
    .addHelpText('after', '\nExample:\n  $ mpgen validate -p office.yaml --print-model\n\nEvery key, its default and the rules across keys: docs/profile.md.')
    .action(async (opts: { profile?: string; printModel?: boolean }) => {
      const [{ loadModelForCli }, { printable }] = await Promise.all([import('../load-model.js'), import('../../base/printable.js')]);
      const { model, source } = loadModelForCli(opts.profile);
      if (opts.printModel) process.stdout.write(`${JSON.stringify(model, null, 2)}\n`);
      process.stderr.write(`${printable(source)}: ok (${model.mode}, ${model.uplinks.length} uplinks)\n`);
    });
}

/**
 * The CLI: commands only map flags to library calls. Exit codes: 0 ok,
 * 1 invalid input or failed render, 2 usage error. Data goes to stdout,
 * messages to stderr.
 */
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { UserError } from '../shared/user-error.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('mpgen')
    .description('Render native multi-uplink network configuration (teql, multipath, equalize) for Linux distros from one YAML profile.')
    .version(process.env.MPGEN_VERSION ?? '0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)');
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof UserError) {
      process.stderr.write(e.message.endsWith('\n') ? e.message : `${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

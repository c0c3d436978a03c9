/**
 * The CLI: commands only map flags to library calls. Exit codes: 0 ok,
 * 1 invalid input or failed render, 2 usage error. Data goes to stdout,
 * messages to stderr.
 */
import { Command, CommanderError, type Option } from 'commander';
import { commands } from './commands/index.js';
import { UserError } from '../base/user-error.js';

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
  unknownOptionsFirst(program);
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

/**
 * Commander checks required options before unknown ones, so `mpgen render --distor debian` said
 * "required option '-d, --distro <name>' not specified". Required options are checked here instead,
 * in a preAction hook, which runs after the unknown-option check (and its "Did you mean --distro?").
 */
function unknownOptionsFirst(program: Command): void {
  const required = new Map<Command, Option[]>();
  const walk = (cmd: Command): void => {
    const opts = cmd.options.filter((o) => o.mandatory);
    for (const o of opts) o.mandatory = false;
    if (opts.length) required.set(cmd, opts);
    for (const sub of cmd.commands) walk(sub);
  };
  walk(program);
  program.hook('preAction', (_program, cmd) => {
    for (const o of required.get(cmd) ?? []) {
      if (cmd.getOptionValue(o.attributeName()) === undefined) cmd.error(`error: required option '${o.flags}' not specified`, { code: 'commander.missingMandatoryOptionValue' });
    }
  });
}

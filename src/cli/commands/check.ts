/**
 * `mpgen check [-p FILE] [--json] [--netns NS]`: compare the live kernel with
 * what the profile says it should hold. Exit 0 only when every check passes,
 * 1 when one fails (or the profile is invalid), 2 on usage errors.
 */
import type { Command } from 'commander';
import { UserError } from '../../base/user-error.js';

interface CheckOptions {
  profile?: string;
  json?: boolean;
  netns?: string;
  root?: string;
}

const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function register(program: Command): void {
  program
    .command('check')
    .description('Check the live kernel (links, addresses, teql, rules, tables, multipath route, sysctls, keepalive) against the profile, and that no other ifupdown or netplan file configures its interfaces')
    .option('-p, --profile <file>', 'profile to check against, - for standard input (default ./mpgen.yaml, else the built-in example)')
    .option('--json', 'print the results as JSON')
    .option('--netns <name>', 'check a named network namespace instead of this one (ip -n NAME)')
    .option('--root <dir>', 'look for other ifupdown and netplan configuration of the profile\'s interfaces under DIR (default /; with --netns only when given)')
    .addHelpText('after', '\nExamples:\n  $ sudo mpgen check -p office.yaml\n  $ mpgen check -p office.yaml --netns router --json')
    .action(async (opts: CheckOptions) => {
      if (opts.netns !== undefined && !NETNS_NAME.test(opts.netns)) throw new UserError(`--netns: "${opts.netns}" is not a namespace name`, 2);
      const [{ checkKernel }, { readKernel }, { allPassed, formatResults }, { loadModelForCli }] = await Promise.all([
        import('../../check/check-kernel.js'),
        import('../../check/read-kernel.js'),
        import('../../check/result.js'),
        import('../load-model.js'),
      ]);
      const { checkForeignConfig } = await import('../../check/foreign-config.js');
      const { model } = loadModelForCli(opts.profile);
      let snapshot;
      try {
        snapshot = readKernel(opts.netns ? { netns: opts.netns } : {});
      } catch (e) {
        throw new UserError(`mpgen check: cannot read the kernel state: ${(e as Error).message}`);
      }
      const results = checkKernel(model, snapshot);
      // A namespace has its own network but the host's files: read them only when asked.
      if (opts.root !== undefined || opts.netns === undefined) results.push(...checkForeignConfig(model, opts.root ?? '/'));
      const ok = allPassed(results);
      if (opts.json) process.stdout.write(`${JSON.stringify({ profile: model.name, mode: model.mode, ok, results }, null, 2)}\n`);
      else process.stdout.write(formatResults(results));
      if (!ok && !opts.json) {
        const n = results.filter((r) => !r.ok).length;
        process.stderr.write(`mpgen check: ${n} of ${results.length} checks failed\n`);
      }
      process.exitCode = ok ? 0 : 1;
    });
}

/**
 * `mpgen completion bash|zsh|fish`: a completion script derived from the commander program
 * itself (commands, options, arguments) and from the distro registry (distro and backend names),
 * so it cannot miss a command or a distro.
 */
import { Argument, type Command } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const INSTALL: Record<Shell, string> = {
  bash: 'echo \'source <(mpgen completion bash)\' >> ~/.bashrc',
  zsh: 'echo \'source <(mpgen completion zsh)\' >> ~/.zshrc    # after compinit',
  fish: 'mpgen completion fish > ~/.config/fish/completions/mpgen.fish',
};

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText('after', `\nExamples:\n${SHELLS.map((s) => `  $ ${INSTALL[s]}`).join('\n')}`)
    .action(async (shell: Shell, _opts: unknown, cmd: Command) => {
      const { completionSpec, completionScript } = await import('./completion-script.js');
      process.stdout.write(completionScript(shell, completionSpec(cmd.parent!)));
    });
}

/** `mpgen completion bash|zsh|fish`: scripts the shells accept, naming every command, option and distro. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distroNames } from '../../src/distros/registry.js';
import { mpgen } from '../support/cli.js';
import { missing } from '../support/require.js';

const dir = mkdtempSync(join(tmpdir(), 'mpgen-completion-'));
function script(shell: string): string {
  const r = mpgen(['completion', shell]);
  expect(r.code, r.stderr).toBe(0);
  const file = join(dir, `mpgen.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}

/** The commands and options as `mpgen --help` and `mpgen CMD --help` list them. */
function helpCommands(): string[] {
  const help = mpgen(['--help']).stdout;
  const section = help.split(/^Commands:$/m)[1]!;
  return [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!);
}
const helpOptions = (cmd: string): string[] => [...mpgen([cmd, '--help']).stdout.matchAll(/(?<=^ {2}|, )(--?[a-z][a-z-]*)/gm)].map((m) => m[1]!);

describe('mpgen completion', () => {
  it('bash: bash -n accepts it, and it completes commands, options, distros and backends', () => {
    const file = script('bash');
    execFileSync('bash', ['-n', file]);
    const complete = (...words: string[]): string[] => {
      const arr = words.map((w) => `'${w}'`).join(' ');
      const out = execFileSync('bash', ['-c', `source '${file}'; COMP_WORDS=(mpgen ${arr}); COMP_CWORD=${words.length}; _mpgen; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
      return out.split('\n').filter(Boolean);
    };
    const commands = helpCommands();
    expect(commands).toContain('completion');
    expect(complete('').sort()).toEqual(expect.arrayContaining(commands));
    expect(complete('render', '--distro', '')).toEqual(distroNames());
    expect(complete('render', '--distro', 'rh')).toEqual(['rhel', 'rhel8']);
    expect(complete('package', '--backend', '')).toEqual(expect.arrayContaining(['ifcfg', 'nm', 'eni', 'networkd', 'netplan']));
    expect(complete('package', '--format', '')).toEqual(['deb', 'rpm', 'tar']);
    expect(complete('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(helpOptions('render')).toEqual(expect.arrayContaining(['-d', '--distro', '--dry-run', '--help']));
    for (const cmd of commands.filter((c) => c !== 'help')) expect(complete(cmd, '-').sort(), cmd).toEqual(expect.arrayContaining(helpOptions(cmd)));
  });

  it('every script names every command and every distro', () => {
    const commands = helpCommands();
    for (const shell of ['bash', 'zsh', 'fish']) {
      const text = mpgen(['completion', shell]).stdout;
      for (const c of commands) expect(text, `${shell}: ${c}`).toMatch(new RegExp(`\\b${c}\\b`));
      for (const d of distroNames()) expect(text, `${shell}: ${d}`).toMatch(new RegExp(`\\b${d}\\b`));
    }
  });

  it('an unknown shell is a usage error naming the choices', () => {
    const r = mpgen(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bash, zsh, fish');
  });

  const noZsh = missing({ commands: ['zsh'] });
  it.skipIf(noZsh)('zsh: zsh -n accepts it, and it completes commands, distros and formats (a real zsh on a pty)', () => {
    const file = script('zsh');
    execFileSync('zsh', ['-n', file]);
    // compinit finds _mpgen in $fpath; a zsh on a pseudo-terminal gets LINE and a TAB, and its
    // output is read until WANT shows up (or the timeout fails the test).
    const zc = mkdtempSync(join(dir, 'zsh-'));
    writeFileSync(join(zc, '_mpgen'), readFileSync(file, 'utf8'));
    writeFileSync(
      join(zc, 'run.zsh'),
      [
        'zmodload zsh/zpty',
        'zpty z zsh -f -i',
        `zpty -w z 'PS1=""; fpath=($ZC $fpath); autoload -Uz compinit; compinit -u -d $ZC/dump; LISTMAX=1000; mpgen() { :; }'`,
        `zpty -wn z "$LINE"$'\\t'`,
        'zpty -r -m z out "*$WANT*"',
        'print -r -- "$out"',
        'zpty -d z',
        '',
      ].join('\n'),
    );
    const complete = (line: string, want: string): string =>
      execFileSync('zsh', ['-f', join(zc, 'run.zsh')], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ZC: zc, LINE: line, WANT: want, HOME: zc } }).replace(/\x1b\[[0-9;?]*[a-zA-Z]|\r/g, '');
    const distros = complete('mpgen render --distro ', 'ubuntu');
    for (const d of distroNames()) expect(distros).toMatch(new RegExp(`\\b${d}\\b`));
    expect(complete('mpgen ', 'validate')).toMatch(/completion/);
    expect(complete('mpgen package --format ', 'rpm')).toMatch(/deb +rpm/);
    expect(complete('mpgen completion ', 'zsh')).toMatch(/bash +fish +zsh/);
  });

  const noFish = missing({ commands: ['fish'] });
  it.skipIf(noFish)('fish: fish -n accepts it, and it completes distros and commands', () => {
    const file = script('fish');
    execFileSync('fish', ['--no-execute', file]);
    const complete = (line: string): string[] =>
      execFileSync('fish', ['--no-config', '-c', `source '${file}'; complete -C '${line}'`], { encoding: 'utf8', env: { ...process.env, HOME: dir } })
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]!);
    expect(complete('mpgen render --distro ')).toEqual(expect.arrayContaining(distroNames()));
    expect(complete('mpgen ')).toEqual(expect.arrayContaining(helpCommands().filter((c) => c !== 'help')));
    expect(complete('mpgen completion ')).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
  });
});

/** A misspelt option is reported as unknown, with a suggestion, before any required option is missed. */
import { describe, expect, it } from 'vitest';
import { mpgen } from '../support/cli.js';

describe('unknown options come first', () => {
  it('`mpgen render --distor debian` names --distor as unknown and suggests --distro', () => {
    const r = mpgen(['render', '--distor', 'debian', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown option '--distor'");
    expect(r.stderr).toContain('Did you mean --distro?');
    expect(r.stderr).not.toContain('required option');
  });

  it.each([
    ['package', ['--distor', 'debian', '--format', 'deb']],
    ['bundle', ['--distor', 'debian']],
    ['install', ['--distor', 'debian', '--root', '/nonexistent']],
  ])('%s too', (cmd, args) => {
    const r = mpgen([cmd, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--distor'");
    expect(r.stderr).toContain('Did you mean --distro?');
  });

  it('a required option that is really missing is still reported, exit 2', () => {
    const r = mpgen(['render', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: required option '-d, --distro <name>' not specified");
    const p = mpgen(['package', '--distro', 'debian']);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain("required option '-f, --format <format>' not specified");
  });
});

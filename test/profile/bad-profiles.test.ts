import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/profile/diagnostics.js';
import { parseProfile } from '../../src/profile/load.js';
import { mpgen } from '../support/cli.js';
import { BAD_CASES, BASE } from './bad-profiles.cases.js';

describe('bad profiles: located, explained, fixable', () => {
  it('the base profile is valid (so each case fails for its own edit)', () => {
    const r = parseProfile(BASE, 'base.yaml');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.profile?.name).toBe('shop');
  });

  it('has at least 30 cases', () => {
    expect(BAD_CASES.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of BAD_CASES) {
    it(`${c.name}: ${c.at} ${c.path || '(file)'}`, () => {
      const r = parseProfile(c.text, 'bad.yaml');
      expect(r.profile).toBeUndefined();
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      const hit = errors.find((d) => d.path === c.path);
      expect(hit, `no error at path "${c.path}"; got: ${errors.map((d) => d.path).join(', ')}`).toBeDefined();
      expect(`${hit!.line}:${hit!.col}`).toBe(c.at);
      const text = formatDiagnostic(hit!);
      expect(text.startsWith(`bad.yaml:${c.at}: ${c.path ? `${c.path}: ` : ''}`)).toBe(true);
      for (const s of c.says) expect(text).toContain(s);
      // the source line and a caret under the reported column follow the message
      const [, src, caret] = text.split('\n');
      expect(src).toMatch(new RegExp(`^ *${hit!.line} \\| `));
      const col = caret!.indexOf('^') - caret!.indexOf('|') - 1;
      expect(col).toBe(hit!.col);
    });
  }
});

describe('bad profiles through the CLI: exit 1, no stack trace, output untouched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpgen-bad-'));
  it.each(BAD_CASES.map((c, i) => [i, c.name] as const))('case %i (%s)', (i) => {
    const c = BAD_CASES[i]!;
    const file = join(dir, `case${i}.yaml`);
    writeFileSync(file, c.text);
    const parent = join(dir, `out${i}`);
    const out = join(parent, 'tree');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'previous.txt'), 'previous render');
    const r = mpgen(['render', '--distro', 'debian', '-p', file, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}:${c.at}: `);
    expect(r.stderr).toMatch(/error(s)? in profile; nothing was written/);
    expect(r.stderr).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
    expect(r.stderr).not.toContain('internal error');
    expect(readdirSync(out)).toEqual(['previous.txt']);
    expect(readFileSync(join(out, 'previous.txt'), 'utf8')).toBe('previous render');
    expect(readdirSync(parent)).toEqual(['tree']);
  });
});

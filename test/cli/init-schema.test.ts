/** `mpgen init` writes a profile that editors validate as the user types (yaml-language-server). */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mpgen } from '../support/cli.js';
import { loadModelFromText } from '../../src/model/load.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'mpgen-init-'));
const LINE = '# yaml-language-server: $schema=./mpgen.schema.json';

describe('mpgen init and the editor schema', () => {
  it('writes the $schema line first and the schema beside the profile', () => {
    const cwd = tmp();
    const r = mpgen(['init'], { cwd });
    expect(r.code).toBe(0);
    const text = readFileSync(join(cwd, 'mpgen.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe(LINE);
    expect(JSON.parse(readFileSync(join(cwd, 'mpgen.schema.json'), 'utf8'))).toEqual(JSON.parse(mpgen(['schema']).stdout));
    expect(r.stderr).toContain('mpgen.schema.json');
  });

  it('the schema goes in the directory of -o', () => {
    const cwd = tmp();
    mkdirSync(join(cwd, 'site'));
    expect(mpgen(['init', '-o', 'site/office.yaml'], { cwd }).code).toBe(0);
    expect(existsSync(join(cwd, 'site', 'mpgen.schema.json'))).toBe(true);
    expect(existsSync(join(cwd, 'mpgen.schema.json'))).toBe(false);
  });

  it('the loader takes the line as the comment it is: validate is clean, the model is the same', () => {
    const cwd = tmp();
    mpgen(['init'], { cwd });
    const v = mpgen(['validate', '-p', 'mpgen.yaml'], { cwd });
    expect(v.code).toBe(0);
    expect(v.stderr).not.toMatch(/warning|error/i);
    const text = readFileSync(join(cwd, 'mpgen.yaml'), 'utf8');
    const without = text.split('\n').slice(1).join('\n');
    expect(loadModelFromText(text, 'p.yaml').model).toEqual(loadModelFromText(without, 'p.yaml').model);
  });

  it('--no-schema writes neither the line nor the file; -o - prints the line and says how to get the schema', () => {
    const cwd = tmp();
    expect(mpgen(['init', '--no-schema'], { cwd }).code).toBe(0);
    expect(readFileSync(join(cwd, 'mpgen.yaml'), 'utf8')).not.toContain('yaml-language-server');
    expect(existsSync(join(cwd, 'mpgen.schema.json'))).toBe(false);
    const out = mpgen(['init', '-o', '-'], { cwd: tmp() });
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')[0]).toBe(LINE);
    expect(out.stderr).toContain('mpgen schema > mpgen.schema.json');
  });
});

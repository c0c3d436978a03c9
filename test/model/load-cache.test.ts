/** loadModelFromText keeps the last profile it loaded: a second load of the same text is a copy of the first. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModelFromText } from '../../src/model/load.js';
import { ProfileError } from '../../src/profile/diagnostics.js';
import { fixturePath } from '../support/fixtures.js';

const text = readFileSync(fixturePath('seed000-equalize'), 'utf8');

describe('loadModelFromText reuse', () => {
  it('gives the same model and warnings for the same text, never the same objects', () => {
    const a = loadModelFromText(text, 'a.yaml');
    const b = loadModelFromText(text, 'a.yaml');
    expect(b).toEqual(a);
    expect(b.model).not.toBe(a.model);
    expect(b.model.uplinks[0]).not.toBe(a.model.uplinks[0]);
    expect(a.warnings.length).toBeGreaterThan(0); // equalize warns: the warnings are reused too
    expect(b.warnings).toEqual(a.warnings);
  });

  it('a caller that changes its model does not change the next one (first, second or later load)', () => {
    const before = structuredClone(loadModelFromText(text, 'e.yaml'));
    for (let i = 0; i < 4; i++) {
      const a = loadModelFromText(text, 'b.yaml');
      expect(a).toEqual({ ...before, model: { ...before.model, source: 'b.yaml' }, warnings: before.warnings.map((w) => ({ ...w, file: 'b.yaml' })) });
      a.model.uplinks[0]!.weight = 99;
      a.model.uplinks.pop();
      a.warnings.length = 0;
    }
  });

  it('another file name or another text is parsed again (diagnostics carry the file)', () => {
    const a = loadModelFromText(text, 'c.yaml');
    const b = loadModelFromText(text, 'd.yaml');
    expect(a.warnings[0]!.file).toBe('c.yaml');
    expect(b.warnings[0]!.file).toBe('d.yaml');
    const broken = text.replace(/^mode: equalize$/m, 'mode: equalise');
    expect(broken).not.toBe(text);
    expect(() => loadModelFromText(broken, 'd.yaml')).toThrow(ProfileError);
    // and a failed load leaves the previous one usable
    expect(loadModelFromText(text, 'd.yaml')).toEqual(b);
  });
});

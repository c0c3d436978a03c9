/** docs/profile.md is generated from the schema (`npm run docs:profile`) and must not drift from it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROFILE_DOC, RULE_DOCS, renderProfileDoc } from '../../scripts/profile-doc.js';
import { RULES } from '../../src/profile/rules.js';

describe('docs/profile.md', () => {
  it('is what `npm run docs:profile` writes (run npm run docs:profile after changing the schema)', () => {
    const committed = readFileSync(PROFILE_DOC, 'utf8');
    const fresh = renderProfileDoc();
    if (committed !== fresh) {
      const a = committed.split('\n');
      const b = fresh.split('\n');
      const i = a.findIndex((l, k) => l !== b[k]);
      expect.fail(`docs/profile.md is stale: run npm run docs:profile\nfirst difference at line ${i + 1}:\n- ${a[i]}\n+ ${b[i]}`);
    }
  });
  it('documents every rule across keys', () => {
    expect(Object.keys(RULE_DOCS).sort()).toEqual(Object.keys(RULES).sort());
  });
});

/**
 * What a user gets (generated files, notes, messages, the example profile) says what a thing is:
 * never "seed 003" (the team's design inputs, which users do not have) nor a source file such
 * as "networkd.ts" (users have no sources).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distroRegistry } from '../../src/distros/registry.js';
import { loadModelFromText } from '../../src/model/load.js';
import { renderPlan } from '../../src/plan/render.js';
import { DEFAULT_PROFILE_YAML } from '../../src/profile/default-profile.js';
import { profileJsonSchema } from '../../src/profile/json-schema.js';
import { FIXTURES, fixturePath } from '../support/fixtures.js';
import { mpgen, REPO } from '../support/cli.js';

const INTERNAL = /\bseeds?\b|\b[\w-]+\.ts\b/i;

function internalRefs(text: string): string[] {
  return text.split('\n').filter((l) => INTERNAL.test(l));
}

describe('no internal references in what users get', () => {
  const profiles: Array<[string, string]> = [...FIXTURES.map((f) => [f, readFileSync(fixturePath(f), 'utf8')] as [string, string]), ['embedded default', DEFAULT_PROFILE_YAML]];
  for (const [label, text] of profiles) {
    // a neutral source label: the fixtures' file names are the test's business
    const model = loadModelFromText(text, 'profile.yaml').model;
    for (const distro of distroRegistry().values()) {
      it(`${label} on ${distro.name}, every backend`, () => {
        for (const backend of distro.backends) {
          const plan = renderPlan(model, distro, backend);
          for (const f of plan.files) expect(internalRefs(f.content), `${distro.name}/${backend}: ${f.path}`).toEqual([]);
          expect(internalRefs(plan.notes.join('\n')), `${distro.name}/${backend}: notes`).toEqual([]);
        }
      });
    }
  }

  it('the embedded example profile, the JSON Schema and the CLI messages', () => {
    expect(internalRefs(DEFAULT_PROFILE_YAML)).toEqual([]);
    expect(internalRefs(JSON.stringify(profileJsonSchema(), null, 1))).toEqual([]);
    const r = mpgen(['render', '--distro', 'debian', '--dry-run'], { cwd: '/' });
    expect(internalRefs(r.stderr)).toEqual([]);
    const help = mpgen(['init', '--help']);
    expect(internalRefs(help.stdout)).toEqual([]);
  });

  it('no message or hint in src/ names a seed or a source file', () => {
    const bad: string[] = [];
    for (const f of readdirSync(join(REPO, 'src'), { recursive: true, encoding: 'utf8' })) {
      if (!f.endsWith('.ts')) continue;
      readFileSync(join(REPO, 'src', f), 'utf8')
        .split('\n')
        .forEach((l, i) => {
          const code = l.replace(/^\s*(\/\/|\*|\/\*\*).*$/, '');
          const strings = code.match(/'[^']*'|`[^`]*`|"[^"]*"/g) ?? [];
          for (const s of strings) if (INTERNAL.test(s) && !/^['"`][./\w-]*\.ts['"`]$/.test(s) && !/import\(/.test(code)) bad.push(`src/${f}:${i + 1}: ${s}`);
        });
    }
    expect(bad).toEqual([]);
  });
});

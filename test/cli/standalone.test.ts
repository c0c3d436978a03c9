/**
 * The project stands alone: nothing in it reads, links to or mentions files that do not ship
 * (a team's guides beside the checkout), and every link of a shipped document resolves inside
 * the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

const SKIP = new Set(['node_modules', '.git', 'dist', 'golden']);

function files(dir = REPO): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name) || e.name.startsWith('.vitest')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (e.isFile() && statSync(p).size < 2_000_000) out.push(p);
  }
  return out;
}

// Built from pieces, so that this file does not match itself.
const GUIDES = ['TESTING', 'DOMAIN', 'PROFILE', 'PACKAGING', 'STYLE'].map((g) => `${g}\\.md`).join('|');
const OUTSIDE = new RegExp(`\\.\\./shared|shared/guide|\\b(?:${GUIDES})\\b|the team's [A-Z]+ guide`);

describe('the project stands alone', () => {
  it('no file reads, links to or mentions the guides beside the checkout', () => {
    const bad: string[] = [];
    for (const f of files()) {
      if (f.endsWith('standalone.test.ts')) continue;
      const text = readFileSync(f, 'utf8');
      if (text.includes('\u0000')) continue;
      text.split('\n').forEach((l, i) => {
        if (OUTSIDE.test(l)) bad.push(`${relative(REPO, f)}:${i + 1}: ${l.trim()}`);
      });
    }
    expect(bad).toEqual([]);
  });

  it('every relative link of README.md and docs/ resolves to a file of the repository', () => {
    const docs = files().filter((f) => f.endsWith('.md'));
    expect(docs.map((f) => relative(REPO, f))).toContain('docs/profile.md');
    const bad: string[] = [];
    for (const f of docs) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.replace(/#.*$/, '');
        if (!target || /^[a-z]+:/i.test(target)) continue;
        const abs = resolve(dirname(f), target);
        if (relative(REPO, abs).startsWith('..') || !existsSync(abs)) bad.push(`${relative(REPO, f)}: ${m[1]}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

/**
 * The README says up front what is not supported and what the firewall is, and its example
 * outputs are what the built CLI prints. When they drift (file sizes, notes, messages), the
 * failure shows the block as it should be: `npm run docs:readme` rewrites it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, README, readmeBlock, runExample, showsOutput } from '../../scripts/readme-examples.js';

const readme = readFileSync(README, 'utf8');

describe('README.md', () => {
  it('says in its first lines what is not supported yet and what the firewall is', () => {
    const head = readme.split('\n').slice(0, 16).join('\n');
    expect(head).toMatch(/Not supported yet:\*\* IPv6/);
    expect(head).toMatch(/DHCP/);
    expect(head).toMatch(/PPPoE/);
    expect(head).toMatch(/NAT plus a stateful accept, not a site firewall/);
  });

  for (const ex of EXAMPLES) {
    it(`the output shown for \`${ex.command}\` is a real run's`, () => {
      const block = readmeBlock(readme, ex.command);
      expect(block, `README.md has no \`\`\`text block starting with "$ ${ex.command}"`).toBeDefined();
      const actual = runExample(ex);
      if (!showsOutput(block!.lines, actual)) {
        const want = ex.shorten(actual);
        const diff: string[] = [];
        const max = Math.max(block!.lines.length, want.length);
        for (let i = 0; i < max; i++) {
          const a = block!.lines[i];
          const b = want[i];
          if (a === b) diff.push(`  ${a}`);
          else {
            if (a !== undefined) diff.push(`- ${a}`);
            if (b !== undefined) diff.push(`+ ${b}`);
          }
        }
        expect.fail(`README.md's block for "$ ${ex.command}" is not what mpgen prints now; run npm run docs:readme (or edit it by hand):\n${diff.join('\n')}`);
      }
    });
  }

  it('the matcher: "..." stands for one or more lines, nothing else is skipped', () => {
    expect(showsOutput(['a', '...', 'd'], ['a', 'b', 'c', 'd'])).toBe(true);
    expect(showsOutput(['a', '...', 'd'], ['a', 'd'])).toBe(false);
    expect(showsOutput(['a', 'd'], ['a', 'b', 'd'])).toBe(false);
    expect(showsOutput(['a', 'x'], ['a', 'b'])).toBe(false);
  });
});

/**
 * The README's example outputs, from real runs of the built CLI: `npm run docs:readme` rewrites
 * them; test/cli/readme.test.ts runs the same commands and fails when the README's blocks are no
 * longer what they print ("..." in a block stands for one or more lines left out).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/mpgen', import.meta.url));

export interface Example {
  /** what the README shows after `$ ` */
  command: string;
  args: string[];
  /** the lines the README shows of the output (the rest becomes "...") */
  shorten: (lines: string[]) => string[];
}

/** Keeps lines[0..a] and lines[b..], with "..." between when anything is left out. */
const elide = (lines: string[], a: number, b: number): string[] => (a >= 0 && b > a + 1 ? [...lines.slice(0, a + 1), '...', ...lines.slice(b)] : lines);

const lastIndex = (l: string[], f: (x: string) => boolean): number => {
  for (let i = l.length - 1; i >= 0; i--) if (f(l[i]!)) return i;
  return -1;
};

export const EXAMPLES: Example[] = [
  {
    command: 'mpgen render --distro fedora',
    args: ['render', '--distro', 'fedora'],
    // the first ifcfg file of an uplink and the last rule file; the rest of network-scripts elided
    shorten: (l) => elide(l, l.findIndex((x) => x.endsWith('/ifcfg-eth2')), lastIndex(l, (x) => /\/rule-eth\d+$/.test(x))),
  },
  {
    command: 'mpgen distros',
    args: ['distros'],
    // the first and the last distro
    shorten: (l) => elide(l, 2, l.length - 3),
  },
];

/** Runs an example as a user would, in an empty directory (no ./mpgen.yaml), stderr and stdout in order. */
export function runExample(ex: Example): string[] {
  const cwd = mkdtempSync(join(tmpdir(), 'mpgen-readme-'));
  try {
    const r = spawnSync('sh', ['-c', '"$0" "$@" 2>&1', BIN, ...ex.args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    if (r.status !== 0) throw new Error(`${ex.command} exited ${r.status}:\n${r.stdout}${r.stderr}`);
    return r.stdout.replace(/\n$/, '').split('\n');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** The lines of the README's ```text block that starts with `$ COMMAND`, without that line. */
export function readmeBlock(readme: string, command: string): { start: number; end: number; lines: string[] } | undefined {
  const head = `\`\`\`text\n$ ${command}\n`;
  const start = readme.indexOf(head);
  if (start < 0) return undefined;
  const body = start + head.length;
  const end = readme.indexOf('```', body);
  return { start: body, end, lines: readme.slice(body, end).replace(/\n$/, '').split('\n') };
}

/** True when `shown` is `actual` with zero or more runs of one or more lines replaced by "...". */
export function showsOutput(shown: string[], actual: string[]): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === shown.length) r = j === actual.length;
    else if (shown[i] === '...') {
      r = false;
      for (let k = j + 1; k <= actual.length && !r; k++) r = go(i + 1, k);
    } else r = j < actual.length && shown[i] === actual[j] && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

export function updateReadme(readme: string): string {
  let out = readme;
  for (const ex of EXAMPLES) {
    const b = readmeBlock(out, ex.command);
    if (!b) throw new Error(`README.md has no \`\`\`text block starting with "$ ${ex.command}"`);
    out = `${out.slice(0, b.start)}${ex.shorten(runExample(ex)).join('\n')}\n${out.slice(b.end)}`;
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(README, updateReadme(readFileSync(README, 'utf8')));
  process.stderr.write(`rewrote the example outputs in ${README}\n`);
}

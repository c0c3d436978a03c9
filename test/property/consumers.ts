/**
 * The L1/L2 consumer checks of test/consumers/sweep.test.ts, for generated
 * plans: scripts go to shellcheck (in one call per dialect, deduplicated by
 * content) and `sh -n` under dash, netplan YAML to `netplan generate
 * --root-dir`, interfaces files to `ifup --no-act`. Each returns the problems
 * it found, labelled.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PlannedFile } from '../../src/plan/plan.js';

export interface Labelled {
  where: string;
  file: PlannedFile;
}

const run = (cmd: string, args: string[], input?: string) => spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 120_000 });
const sha = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

export const dialectOf = (f: PlannedFile): 'sh' | 'bash' | undefined =>
  f.content.startsWith('#!/bin/sh') || f.content.startsWith('#!/usr/bin/env sh') ? 'sh' : f.content.startsWith('#!/bin/bash') || f.content.startsWith('#!/usr/bin/env bash') ? 'bash' : undefined;

export function checkScripts(files: Labelled[]): { checked: number; problems: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'mpgen-prop-sh-'));
  const problems: string[] = [];
  let checked = 0;
  for (const dialect of ['sh', 'bash'] as const) {
    const byPath = new Map<string, string>();
    for (const { where, file } of files) {
      if (dialectOf(file) !== dialect) continue;
      const p = join(dir, `${sha(file.content)}.${dialect}`);
      if (byPath.has(p)) continue;
      writeFileSync(p, file.content);
      byPath.set(p, where);
    }
    const paths = [...byPath.keys()];
    checked += paths.length;
    for (let k = 0; k < paths.length; k += 50) {
      const chunk = paths.slice(k, k + 50);
      const sc = run('shellcheck', ['-s', dialect, '-f', 'gcc', ...chunk]);
      if (sc.status !== 0) for (const line of `${sc.stdout}${sc.stderr}`.split('\n').filter(Boolean)) problems.push(`shellcheck ${byPath.get(line.split(':')[0]!) ?? ''}: ${line}`);
    }
    for (const p of paths) {
      const r = run(dialect === 'sh' ? 'dash' : 'bash', ['-n', p]);
      if (r.status !== 0) problems.push(`${dialect} -n ${byPath.get(p)}: ${r.stderr}`);
    }
  }
  return { checked, problems };
}

/** netplan generate --root-dir over one plan's netplan files; networkd files must come out. */
export function checkNetplan(where: string, files: PlannedFile[]): string[] {
  const root = mkdtempSync(join(tmpdir(), 'mpgen-prop-np-'));
  for (const f of files.filter((x) => x.path.startsWith('/etc/netplan/'))) {
    const p = join(root, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content, { mode: 0o600 });
  }
  const r = run('netplan', ['generate', '--root-dir', root]);
  const ls = run('sh', ['-c', `ls ${join(root, 'run/systemd/network')} | grep -c '\\.network$'`]);
  const out: string[] = [];
  if (r.status !== 0 || r.stderr !== '') out.push(`netplan generate ${where}: exit ${r.status}: ${r.stderr}`);
  if (Number(ls.stdout.trim()) < 1) out.push(`netplan generate ${where}: no .network file written`);
  return out;
}

/** ifup --no-act -a over an interfaces file. */
export function checkIfupdown(where: string, file: PlannedFile): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'mpgen-prop-eni-'));
  const p = join(dir, 'interfaces');
  writeFileSync(p, file.content);
  mkdirSync(join(dir, 'state'));
  const r = run('ifup', ['--no-act', '-i', p, '--state-dir', join(dir, 'state'), '-a']);
  const out: string[] = [];
  if (r.status !== 0) out.push(`ifup --no-act ${where}: exit ${r.status}: ${r.stderr}`);
  if (/unknown|misplaced|ignoring|not recognized|No such file/i.test(r.stderr)) out.push(`ifup --no-act ${where}: ${r.stderr}`);
  return out;
}

/**
 * Test prerequisites. Outside CI, a suite whose tools are missing is skipped
 * and says why (a developer laptop without netplan or root can still run the
 * rest). Under CI=true a missing prerequisite is a hard failure: .ci/run
 * installs everything, so a skip there would hide a broken install step.
 */
import { execFileSync } from 'node:child_process';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Returns the reason a suite cannot run, or undefined when it can.
 * Throws under CI, so a missing tool fails the run instead of skipping.
 */
export function missing(opts: { commands?: string[]; root?: boolean; netns?: boolean }): string | undefined {
  const reasons: string[] = [];
  for (const c of opts.commands ?? []) if (!hasCommand(c)) reasons.push(`command not found: ${c}`);
  if (opts.root && !isRoot()) reasons.push('needs root');
  if (opts.netns && isRoot()) {
    try {
      execFileSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
    } catch {
      reasons.push('cannot create network namespaces (unshare -n failed)');
    }
  }
  if (reasons.length === 0) return undefined;
  const why = reasons.join('; ');
  if (IN_CI) throw new Error(`prerequisite missing under CI (install it in .ci/run): ${why}`);
  // Visible in the test output, so nobody mistakes a skip for a pass.
  console.warn(`[mpgen tests] SKIPPED suite: ${why}`);
  return why;
}

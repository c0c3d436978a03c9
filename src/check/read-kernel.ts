/**
 * readKernel(): the only I/O of `mpgen check`. It runs `ip -N -j` and
 * `tc -j` (nothing else), and reads /proc/sys, /proc/PID and the keepalive
 * status files under /run/mpgen.
 *
 * With `netns`, ip and tc get `-n NS`. Sysctls under /proc/sys/net belong to
 * the network namespace of the process that opens them, so for a namespace
 * the same reader runs as `ip netns exec NS node -e ...` (node itself, no
 * other tool).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IpLink, IpRoute, IpRule, KernelSnapshot, ProcInfo, TcQdisc } from './snapshot.js';
import { parseKeepaliveStatus } from './keepalive-status.js';

export interface ReadKernelOptions {
  /** read the kernel state of this named network namespace (ip -n NS) */
  netns?: string;
  /** where the keepalive writes NAME.status; default /run/mpgen */
  runDir?: string;
  /** default /proc */
  procDir?: string;
}

const EXEC_OPTS = { encoding: 'utf8' as const, maxBuffer: 64 * 1024 * 1024, timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };

function json<T>(cmd: string, args: string[]): T {
  let out: string;
  try {
    out = execFileSync(cmd, args, EXEC_OPTS);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(err.stderr ?? '').trim() || err.message}`);
  }
  // `tc -j` prints nothing at all when there is nothing to show on some versions.
  return (out.trim() === '' ? [] : JSON.parse(out)) as T;
}

/**
 * The sysctls that `mpgen check` looks at, read by a body of plain JS held as
 * text: the same text runs in this process and, for a namespace, in a node
 * started inside it (a function's toString() would not survive bundling).
 */
const SYSCTL_READER = `
  const out = {};
  const read = (rel) => {
    try { out[rel.split('/').join('.')] = fs.readFileSync(procSys + '/' + rel, 'utf8').trim(); } catch { /* absent: reported as absent */ }
  };
  for (const k of ['net/ipv4/ip_forward', 'net/ipv4/fib_multipath_hash_policy', 'net/ipv4/fib_multipath_use_neigh']) read(k);
  let ifs = [];
  try { ifs = fs.readdirSync(procSys + '/net/ipv4/conf'); } catch { ifs = []; }
  for (const i of ifs) {
    read('net/ipv4/conf/' + i + '/rp_filter');
    read('net/ipv4/conf/' + i + '/forwarding');
    read('net/ipv4/conf/' + i + '/ignore_routes_with_linkdown');
  }
  return out;
`;

export function readSysctls(procSys: string): Record<string, string> {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const reader = new Function('procSys', 'fs', SYSCTL_READER) as (p: string, f: typeof fs) => Record<string, string>;
  return reader(procSys, fs);
}

function sysctlsInNetns(netns: string): Record<string, string> {
  const src = `const fs = require('node:fs'); const procSys = '/proc/sys'; process.stdout.write(JSON.stringify((() => {${SYSCTL_READER}})()));`;
  return json<Record<string, string>>('ip', ['netns', 'exec', netns, process.execPath, '-e', src]);
}

function procInfo(procDir: string, pid: number): ProcInfo | null {
  const base = join(procDir, String(pid));
  try {
    const stat = readFileSync(join(base, 'stat'), 'utf8');
    // the state letter follows the last ')' of the command name
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?';
    const read = (f: string) => {
      try {
        return readFileSync(join(base, f), 'utf8');
      } catch {
        return '';
      }
    };
    return { state, cmdline: read('cmdline').split('\0').join(' ').trim(), cgroup: read('cgroup') };
  } catch {
    return null;
  }
}

export function readKernel(opts: ReadKernelOptions = {}): KernelSnapshot {
  const ns = opts.netns ? ['-n', opts.netns] : [];
  const runDir = opts.runDir ?? '/run/mpgen';
  const procDir = opts.procDir ?? '/proc';
  const links = json<IpLink[]>('ip', [...ns, '-N', '-j', 'addr', 'show']);
  const rules = json<IpRule[]>('ip', [...ns, '-N', '-j', '-4', 'rule', 'show']);
  const routes = json<IpRoute[]>('ip', [...ns, '-N', '-j', '-4', 'route', 'show', 'table', 'all']);
  const qdiscs = json<TcQdisc[]>('tc', [...ns, '-j', 'qdisc', 'show']);
  const sysctl = opts.netns ? sysctlsInNetns(opts.netns) : readSysctls(join(procDir, 'sys'));

  const keepaliveStatus: Record<string, string> = {};
  const processes: Record<string, ProcInfo | null> = {};
  if (existsSync(runDir)) {
    for (const f of readdirSync(runDir)) {
      if (!f.endsWith('.status')) continue;
      let text: string;
      try {
        text = readFileSync(join(runDir, f), 'utf8');
      } catch {
        continue;
      }
      keepaliveStatus[f.slice(0, -'.status'.length)] = text;
      const pid = parseKeepaliveStatus(text).pid;
      if (pid !== undefined) processes[String(pid)] = procInfo(procDir, pid);
    }
  }
  return { links, rules, routes, qdiscs, sysctl, keepaliveStatus, processes };
}

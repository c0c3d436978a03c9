/**
 * Runs qemu (always TCG: KVM hangs on these machines) with a hard timeout,
 * and reads results out of the serial console between markers:
 *   ===MPGEN-BEGIN name=== ... ===MPGEN-END name===
 */
import { spawn } from 'node:child_process';

export interface QemuNic {
  /** a tap device (persistent, created by lab-net.ts) in the namespace qemu runs in */
  tap?: string;
  /** defaults to 52:54:00:12:34:(56 + index) */
  mac?: string;
}

export interface QemuOptions {
  kernel: string;
  initrd: string;
  /** raw ext4 image for /dev/vda */
  disk?: string;
  /** one virtio-net-pci per entry; without tap, a restricted user-mode NIC (no traffic leaves) */
  nics: QemuNic[];
  /** run qemu inside this network namespace (where the taps are) */
  netns?: string;
  /** hard limit; qemu is killed (SIGKILL) after it */
  timeoutMs: number;
  /** qemu is killed (SIGKILL) after this long without console output: a hung TCG guest */
  idleTimeoutMs?: number;
  memoryMb?: number;
  /** extra kernel command line */
  append?: string;
  /** -cpu model; default qemu's (qemu64 under TCG). "max" emulates every feature TCG can (node's V8 needs more than qemu64) */
  cpu?: string;
  /** called with every chunk of console output as it arrives (\r removed) */
  onOutput?: (chunk: string) => void;
}

export interface QemuRun {
  /** the serial console, \r removed */
  console: string;
  timedOut: boolean;
  /** killed by idleTimeoutMs (timedOut is then true as well) */
  stalled: boolean;
  exitCode: number | null;
  ms: number;
}

export function qemuArgs(o: QemuOptions): string[] {
  const args = ['-accel', 'tcg', '-smp', '2', '-m', String(o.memoryMb ?? 1024), '-nographic', '-no-reboot'];
  if (o.cpu) args.push('-cpu', o.cpu);
  args.push('-kernel', o.kernel, '-initrd', o.initrd);
  args.push('-append', `console=ttyS0 quiet panic=-1 rw systemd.show_status=false ${o.append ?? ''}`.trim());
  if (o.disk) args.push('-drive', `file=${o.disk},format=raw,if=virtio`);
  o.nics.forEach((n, i) => {
    const mac = n.mac ?? `52:54:00:12:34:${(0x56 + i).toString(16)}`;
    const netdev = n.tap ? `tap,id=n${i},ifname=${n.tap},script=no,downscript=no` : `user,id=n${i},restrict=on`;
    args.push('-netdev', netdev, '-device', `virtio-net-pci,netdev=n${i},mac=${mac}`);
  });
  return args;
}

/** qemu processes started by runQemu and still running, so afterAll can end them (by pid, only ours). */
const live = new Set<import('node:child_process').ChildProcess>();

/** SIGKILL every qemu this process started that is still running (for afterAll after a test timeout). */
export function killRunningQemu(): number {
  let n = 0;
  for (const p of live) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL');
      n++;
    }
  }
  live.clear();
  return n;
}

export function runQemu(o: QemuOptions): Promise<QemuRun> {
  const [cmd, args] = o.netns
    ? ['ip', ['netns', 'exec', o.netns, 'qemu-system-x86_64', ...qemuArgs(o)]]
    : ['qemu-system-x86_64', qemuArgs(o)];
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(cmd as string, args as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(p);
    const chunks: Buffer[] = [];
    let idle: NodeJS.Timeout | undefined;
    let stalled = false;
    const armIdle = () => {
      if (o.idleTimeoutMs === undefined) return;
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => {
        stalled = true;
        timedOut = true;
        p.kill('SIGKILL');
      }, o.idleTimeoutMs);
    };
    armIdle();
    p.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      armIdle();
      if (o.onOutput) {
        try {
          o.onOutput(d.toString('utf8').replace(/\r/g, ''));
        } catch (e) {
          // a failing observer must not leave qemu running
          chunks.push(Buffer.from(`\n[mpgen-lab host] onOutput threw: ${(e as Error).message}\n`));
        }
      }
    });
    p.stderr.on('data', (d: Buffer) => chunks.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      p.kill('SIGKILL');
    }, o.timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      if (idle) clearTimeout(idle);
      live.delete(p);
      reject(e);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      if (idle) clearTimeout(idle);
      live.delete(p);
      resolve({ console: Buffer.concat(chunks).toString('utf8').replace(/\r/g, ''), timedOut, stalled, exitCode: code, ms: Date.now() - t0 });
    });
  });
}

/**
 * journald forwards a unit's console output as "[  38.46] unit[245]: text";
 * strip that, so sections read the same from journal+console, a raw tty, or
 * the busybox guest.
 */
export function stripJournalPrefix(log: string): string {
  return log.replace(/^(?:.*?\x1b\[[0-9;?]*[A-Za-z])*\[\s*\d+\.\d+\] [A-Za-z0-9_.@-]+\[\d+\]: /gm, '');
}

/** Every marked section of a console log, by name (the last one wins when a name repeats). */
export function sections(rawLog: string): Record<string, string> {
  const log = stripJournalPrefix(rawLog);
  const out: Record<string, string> = {};
  const re = /===MPGEN-BEGIN ([A-Za-z0-9_.-]+)===\n([\s\S]*?)===MPGEN-END \1===/g;
  for (let m = re.exec(log); m; m = re.exec(log)) out[m[1] as string] = m[2] as string;
  return out;
}

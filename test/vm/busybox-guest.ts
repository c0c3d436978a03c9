/**
 * The fast guest: the Debian kernel with a busybox initramfs that never
 * mounts a disk. It loads virtio_net and the modules you ask for (sch_teql by
 * default; `modprobe` works for them), then runs your script with busybox sh,
 * real iproute2 `ip`/`tc` (so `ip -j` and `tc -j` work), and powers off.
 * About 8 s per run under TCG. See docs/boot-lab.md.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureBaseImage, ensureInitramfs } from './base-image.js';
import { runQemu, sections, type QemuNic, type QemuRun } from './qemu.js';

export interface BusyboxGuestOptions {
  /** busybox sh script; runs as root in the guest, with /proc, /sys, /dev, /tmp mounted and lo up */
  script: string;
  /** NICs: a number of isolated user-mode NICs (eth0, eth1, ...), or explicit taps from lab-net.ts */
  nics?: number | QemuNic[];
  /** extra files for the guest, by absolute path; mode 0755 when the path ends in .sh */
  files?: Record<string, string | Buffer>;
  /** modules available to modprobe besides virtio_net; default ['sch_teql'] */
  modules?: string[];
  /** run qemu in this namespace (needed with taps) */
  netns?: string;
  /** hard limit, default 120 s */
  timeoutMs?: number;
}

export interface BusyboxGuestResult {
  /** exit status of the script, or null when the guest never reported one */
  rc: number | null;
  /** what the script printed (stdout and stderr) */
  output: string;
  /** sections the script printed itself between ===MPGEN-BEGIN x=== / ===MPGEN-END x=== lines */
  sections: Record<string, string>;
  run: QemuRun;
}

function cpioGz(dir: string): Buffer {
  const cpio = execFileSync('sh', ['-c', 'find . | cpio -o -H newc --quiet | gzip -1'], { cwd: dir, maxBuffer: 512 * 1024 * 1024 });
  return cpio;
}

export async function runBusyboxGuest(o: BusyboxGuestOptions): Promise<BusyboxGuestResult> {
  const base = ensureBaseImage();
  const initrd = ensureInitramfs(base, 'guest', o.modules ?? ['sch_teql']);
  const work = mkdtempSync(join(tmpdir(), 'mpgen-bbguest-'));
  try {
    const extra = join(work, 'extra');
    mkdirSync(join(extra, 'mpgen'), { recursive: true });
    writeFileSync(join(extra, 'mpgen', 'run.sh'), o.script);
    for (const [path, content] of Object.entries(o.files ?? {})) {
      if (!path.startsWith('/') || path.split('/').includes('..')) throw new Error(`guest file path must be absolute, without "..": ${path}`);
      const p = join(extra, path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
      if (path.endsWith('.sh')) chmodSync(p, 0o755);
    }
    // The kernel unpacks concatenated cpio archives in order, so the per-run
    // files land on top of the cached base initramfs.
    const all = join(work, 'initrd.cpio.gz');
    writeFileSync(all, Buffer.concat([readFileSync(initrd), cpioGz(extra)]));
    const nics = typeof o.nics === 'number' || o.nics === undefined ? Array.from({ length: (o.nics as number | undefined) ?? 1 }, () => ({})) : o.nics;
    const run = await runQemu({ kernel: base.vmlinuz, initrd: all, nics, netns: o.netns, timeoutMs: o.timeoutMs ?? 120_000, memoryMb: 512 });
    const s = sections(run.console);
    const guest = s.guest;
    const rcm = guest === undefined ? null : /===MPGEN-RC (\d+)===\n?$/.exec(guest);
    const output = guest === undefined ? '' : guest.replace(/===MPGEN-RC \d+===\n?$/, '');
    return { rc: rcm ? Number(rcm[1]) : null, output, sections: sections(output), run };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

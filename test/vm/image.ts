/**
 * Per-test disk images: a copy of the cached base rootfs, with files, units
 * and .debs injected, turned into an ext4 image by `mke2fs -d`.
 *
 * Every image carries a result unit: after network-online.target it prints
 * the kernel state between console markers (sections addr, rule, route,
 * qdisc, link, sysctl, keepalive, failed, and the optional `resultScript`
 * as section "user"), then powers the guest off.
 *
 * .debs are installed with the image's own dpkg:
 *   'first-boot' (default): a oneshot unit runs `dpkg -i` on the first boot
 *     and reboots; the config then comes up on the second boot, as on a box
 *     where an admin installed the package and rebooted. bootImage() runs
 *     qemu again after that reboot.
 *   'chroot': `chroot ROOT dpkg -i` while the image is built (no systemd
 *     running; maintainer scripts see no /run/systemd/system), one boot.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { KernelSnapshot, ProcInfo } from '../../src/check/snapshot.js';
import { ensureBaseImage, ensureInitramfs, type BaseImage } from './base-image.js';
import { runQemu, sections, type QemuNic, type QemuRun } from './qemu.js';

export interface ImageSpec {
  /** extra files by absolute path in the guest */
  files?: Record<string, { content: string | Buffer; mode?: number }>;
  /** files copied from the host: guest path -> host path (mode kept unless given) */
  hostFiles?: Record<string, { path: string; mode?: number }>;
  /** host paths of .deb files to install with the guest's dpkg */
  debs?: string[];
  debInstall?: 'first-boot' | 'chroot';
  /** sh run by the result unit after the kernel state is printed; its output is section "user" */
  resultScript?: string;
  /** units to enable / disable / mask with `systemctl --root` */
  enable?: string[];
  disable?: string[];
  mask?: string[];
  /** size for mke2fs, default 2G */
  size?: string;
}

export interface Image {
  base: BaseImage;
  work: string;
  img: string;
  buildMs: number;
  /** what `chroot ROOT dpkg -i` printed (debInstall: 'chroot'), ending in rc=N */
  dpkgLog?: string;
  /** remove the work directory (image included) */
  dispose(): void;
}

const STATE_SCRIPT = `#!/bin/sh
# mpgen boot lab: print the kernel state between markers (also callable from a user script).
section() { name=$1; shift; echo "===MPGEN-BEGIN $name==="; "$@" 2>&1; echo "===MPGEN-END $name==="; }
# one grep for all sysctls and one for the process scan: every fork costs under TCG
sysctls() {
  grep -H . /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/fib_multipath_hash_policy /proc/sys/net/ipv4/fib_multipath_use_neigh \
    /proc/sys/net/ipv4/conf/*/rp_filter /proc/sys/net/ipv4/conf/*/forwarding /proc/sys/net/ipv4/conf/*/ignore_routes_with_linkdown
}
statuses() { for f in /run/mpgen/*.status; do [ -r "$f" ] && { echo "--- $f"; cat "$f"; }; done; true; }
# processes whose command line mentions mpgen: pid, state, cmdline, cgroup (for the keepalive checks)
procs() {
  for f in $(grep -l -a mpgen /proc/[0-9]*/cmdline 2>/dev/null); do
    d=\${f%/cmdline}
    [ "\${d#/proc/}" = "$$" ] && continue
    c=$(tr '\\0' ' ' <"$f" 2>/dev/null) || continue
    case "$c" in *mpgen-lab-*) continue ;; esac
    read -r st <"$d/stat" || continue
    st=\${st##*) }
    printf '%s\\t%s\\t%s\\t%s\\n' "\${d#/proc/}" "\${st%% *}" "$c" "$(cat "$d/cgroup" 2>/dev/null | head -n 1)"
  done
}
section uptime cat /proc/uptime
section addr ip -N -j addr show
section rule ip -N -j -4 rule show
section route ip -N -j -4 route show table all
section qdisc tc -j qdisc show
section link ip -j link show
section sysctl sysctls
section keepalive statuses
section procs procs
section failed systemctl list-units --failed --plain --no-legend --no-pager
`;

const RESULT_SCRIPT = `#!/bin/sh
# mpgen boot lab: print the kernel state between markers, then power off.
section() { name=$1; shift; echo "===MPGEN-BEGIN $name==="; "$@" 2>&1; echo "===MPGEN-END $name==="; }
/usr/local/sbin/mpgen-lab-state
if [ -x /usr/local/sbin/mpgen-lab-user ]; then section user /usr/local/sbin/mpgen-lab-user; fi
echo "===MPGEN-DONE==="
systemctl poweroff
`;

const RESULT_UNIT = `[Unit]
Description=mpgen boot lab: print the kernel state to the console and power off
Wants=network-online.target
After=network-online.target multi-user.target
ConditionPathExists=!/var/lib/mpgen-lab/pending-debs

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/mpgen-lab-result
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
`;

const INSTALL_UNIT = `[Unit]
Description=mpgen boot lab: install the .debs with dpkg on first boot, then reboot
ConditionPathExists=/var/lib/mpgen-lab/pending-debs
After=local-fs.target
Before=network-pre.target
Wants=network-pre.target

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo "===MPGEN-BEGIN dpkg==="; dpkg -i /var/lib/mpgen-lab/debs/*.deb; echo "rc=$?"; echo "===MPGEN-END dpkg==="; rm -f /var/lib/mpgen-lab/pending-debs; sync; systemctl reboot'
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=sysinit.target
`;

function put(root: string, path: string, content: string | Buffer, mode = 0o644): void {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
  chmodSync(p, mode);
}

export function buildImage(spec: ImageSpec = {}, base: BaseImage = ensureBaseImage()): Image {
  const t0 = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'mpgen-image-'));
  const root = join(work, 'rootfs');
  let dpkgLog: string | undefined;
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  try {
    run('cp', ['-a', '--reflink=auto', base.rootfs, root]);
    put(root, '/usr/local/sbin/mpgen-lab-result', RESULT_SCRIPT, 0o755);
    put(root, '/usr/local/sbin/mpgen-lab-state', STATE_SCRIPT, 0o755);
    put(root, '/etc/systemd/system/mpgen-lab-result.service', RESULT_UNIT);
    if (spec.resultScript !== undefined) put(root, '/usr/local/sbin/mpgen-lab-user', `#!/bin/sh\n${spec.resultScript}\n`, 0o755);
    for (const [path, f] of Object.entries(spec.files ?? {})) put(root, path, f.content, f.mode ?? 0o644);
    for (const [path, f] of Object.entries(spec.hostFiles ?? {})) {
      const p = join(root, path);
      mkdirSync(dirname(p), { recursive: true });
      copyFileSync(f.path, p);
      if (f.mode !== undefined) chmodSync(p, f.mode);
    }
    const enable = ['mpgen-lab-result.service', ...(spec.enable ?? [])];
    // The serial getty would print a login prompt into the results.
    const mask = ['serial-getty@ttyS0.service', ...(spec.mask ?? [])];
    if (spec.debs?.length) {
      if ((spec.debInstall ?? 'first-boot') === 'chroot') {
        const dir = join(root, 'var/lib/mpgen-lab/debs');
        mkdirSync(dir, { recursive: true });
        for (const d of spec.debs) copyFileSync(d, join(dir, basename(d)));
        dpkgLog = run('chroot', [root, 'sh', '-c', 'dpkg -i /var/lib/mpgen-lab/debs/*.deb 2>&1; echo "rc=$?"']).toString();
        if (!/rc=0\n?$/.test(dpkgLog)) throw new Error(`chroot dpkg -i failed:\n${dpkgLog}`);
      } else {
        for (const d of spec.debs) put(root, `/var/lib/mpgen-lab/debs/${basename(d)}`, execFileSync('cat', [d]));
        put(root, '/var/lib/mpgen-lab/pending-debs', '');
        put(root, '/etc/systemd/system/mpgen-lab-install.service', INSTALL_UNIT);
        enable.push('mpgen-lab-install.service');
      }
    }
    if (enable.length) run('systemctl', ['--root', root, 'enable', ...enable]);
    if (spec.disable?.length) run('systemctl', ['--root', root, 'disable', ...spec.disable]);
    for (const m of mask) {
      const p = join(root, 'etc/systemd/system', m);
      rmSync(p, { force: true });
      symlinkSync('/dev/null', p);
    }
    const img = join(work, 'root.img');
    run('mke2fs', ['-q', '-t', 'ext4', '-d', root, img, spec.size ?? '2G']);
    rmSync(root, { recursive: true, force: true });
    return { base, work, img, buildMs: Date.now() - t0, ...(dpkgLog !== undefined ? { dpkgLog } : {}), dispose: () => rmSync(work, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`building the boot-lab image failed: ${err.message}\n${err.stderr?.toString() ?? ''}`);
  }
}

export interface BootResult {
  /** the console of every boot, joined */
  console: string;
  /** sections of the last boot (dpkg from the first boot is kept too) */
  sections: Record<string, string>;
  /** true when the result unit finished (===MPGEN-DONE===) */
  done: boolean;
  runs: QemuRun[];
  /** guest seconds from kernel start to the result unit (/proc/uptime), when it ran */
  guestUptimeS?: number;
}

export interface BootOptions {
  nics: QemuNic[];
  netns?: string;
  /** per qemu run; default 180 s */
  timeoutMs?: number;
  /** per qemu run: killed after this long without console output (see QemuOptions) */
  idleTimeoutMs?: number;
  /** qemu runs at most (a first-boot install reboots once); default 2 */
  maxBoots?: number;
  /** qemu -cpu (see QemuOptions.cpu) */
  cpu?: string;
  /** called with every chunk of console output as it arrives (\r removed), e.g. to act on step markers */
  onConsole?: (chunk: string) => void;
}

export async function bootImage(image: Image, o: BootOptions): Promise<BootResult> {
  const initrd = ensureInitramfs(image.base, 'boot');
  const runs: QemuRun[] = [];
  let all = '';
  let secs: Record<string, string> = {};
  for (let i = 0; i < (o.maxBoots ?? 2); i++) {
    const r = await runQemu({ kernel: image.base.vmlinuz, initrd, disk: image.img, nics: o.nics, netns: o.netns, timeoutMs: o.timeoutMs ?? 180_000, ...(o.idleTimeoutMs ? { idleTimeoutMs: o.idleTimeoutMs } : {}), ...(o.onConsole ? { onOutput: o.onConsole } : {}), ...(o.cpu ? { cpu: o.cpu } : {}) });
    runs.push(r);
    all += r.console;
    secs = { ...secs, ...sections(r.console) };
    if (r.console.includes('===MPGEN-DONE===') || r.timedOut) break;
  }
  const up = secs.uptime ? Number(secs.uptime.trim().split(/\s+/)[0]) : undefined;
  const res: BootResult = { console: all, sections: secs, done: all.includes('===MPGEN-DONE==='), runs };
  if (up !== undefined && Number.isFinite(up)) res.guestUptimeS = up;
  return res;
}

/** The kernel state the result unit printed, as a KernelSnapshot for checkKernel(). */
export function snapshotFromSections(s: Record<string, string>): KernelSnapshot {
  const json = <T>(name: string): T => {
    const text = s[name];
    if (text === undefined) throw new Error(`the guest printed no "${name}" section`);
    return (text.trim() === '' ? [] : JSON.parse(text)) as T;
  };
  const sysctl: Record<string, string> = {};
  for (const line of (s.sysctl ?? '').split('\n')) {
    const m = /^\/proc\/sys\/([^:]+):(.*)$/.exec(line);
    if (m) sysctl[(m[1] as string).split('/').join('.')] = m[2] as string;
  }
  const keepaliveStatus: Record<string, string> = {};
  const ka = (s.keepalive ?? '').split(/^--- /m).slice(1);
  for (const block of ka) {
    const nl = block.indexOf('\n');
    const file = block.slice(0, nl);
    const m = /\/run\/mpgen\/(.+)\.status$/.exec(file);
    if (m) keepaliveStatus[m[1] as string] = block.slice(nl + 1);
  }
  const processes: Record<string, ProcInfo | null> = {};
  for (const line of (s.procs ?? '').split('\n')) {
    const [pid, state, cmdline, cgroup] = line.split('\t');
    if (pid && state && cmdline !== undefined) processes[pid] = { state, cmdline: cmdline.trim(), cgroup: (cgroup ?? '').trim() };
  }
  return { links: json('addr'), rules: json('rule'), routes: json('route'), qdiscs: json('qdisc'), sysctl, keepaliveStatus, processes };
}

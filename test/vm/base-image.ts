/**
 * The cached Debian 12 boot-lab base (rootfs + kernel + initramfs), keyed by
 * everything that goes into it: package list, suite, mirror, kernel package
 * and the build scripts themselves. Lives under ~/.cache/mpgen-vm/<key>/
 * (MPGEN_VM_CACHE overrides), never in the repository.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCRIPTS = fileURLToPath(new URL('./scripts/', import.meta.url));

/** What debootstrap --include gets (dbus and libpam-systemd satisfy network-manager's and polkitd's virtual dependencies, which debootstrap does not resolve). */
export const PACKAGES = [
  'systemd',
  'systemd-sysv',
  'iproute2',
  'ifupdown',
  'iputils-ping',
  'udev',
  'kmod',
  'netplan.io',
  'network-manager',
  'nftables',
  'dbus',
  'libpam-systemd',
  // mpgen's .debs depend on procps (sysctl); a Debian server install has it (Priority: important)
  'procps',
  // the keepalive deletes a dead line's connections with conntrack when it is installed
  'conntrack',
  // ifupdown's DHCP client (a Debian server install has it: Priority important); mpgen's .deb depends on it for a DHCP line
  'isc-dhcp-client',
  // PPPoE lines: pppd (the client mpgen's .deb configures) and pppoe-server, the lab's ISP inside the guest
  'ppp',
  'pppoe',
];
export const SUITE = 'bookworm';

export interface BaseImage {
  dir: string;
  rootfs: string;
  vmlinuz: string;
  kver: string;
  /** seconds spent in debootstrap and in the kernel step when this cache entry was built */
  timings: Record<string, number>;
  /** true when this call built the cache entry, false when it was reused */
  built: boolean;
}

export function cacheRoot(): string {
  return process.env.MPGEN_VM_CACHE ?? join(homedir(), '.cache', 'mpgen-vm');
}

export interface SourceFile {
  path: string;
  text: string;
}

/** apt's source files, as apt reads them: sources.list and sources.list.d/*.list and *.sources. */
export function aptSourceFiles(etcApt = '/etc/apt'): SourceFile[] {
  const files: string[] = [];
  if (existsSync(join(etcApt, 'sources.list'))) files.push(join(etcApt, 'sources.list'));
  const parts = join(etcApt, 'sources.list.d');
  if (existsSync(parts)) for (const f of readdirSync(parts).sort()) if (/^[\w.-]+\.(list|sources)$/.test(f)) files.push(join(parts, f));
  return files.map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}

const MIRROR_URI = /^(https?|file):/;

/**
 * The first mirror of `suite` (the suite itself, not -updates or -security) in apt sources:
 * deb822 stanzas (Types: deb, Enabled: not no) and one-line `deb [options] URI SUITE ...` entries.
 */
export function mirrorFromSources(files: SourceFile[], suite = SUITE): string | undefined {
  for (const { path, text } of files) {
    if (path.endsWith('.sources')) {
      const lines = text.split('\n').filter((l) => !l.startsWith('#'));
      for (const stanza of lines.join('\n').split(/\n\s*\n/)) {
        const field = (k: string): string[] => new RegExp(`^${k}:[ \\t]*(.*)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
        if (!field('Types').includes('deb') || field('Enabled')[0]?.toLowerCase() === 'no' || !field('Suites').includes(suite)) continue;
        const uri = field('URIs').find((u) => MIRROR_URI.test(u));
        if (uri) return uri;
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m && m[2] === suite && MIRROR_URI.test(m[1]!)) return m[1];
      }
    }
  }
  return undefined;
}

/** The Debian mirror apt uses on this machine, from apt's own sources; an error when there is none. */
export function debianMirror(etcApt = '/etc/apt'): string {
  const files = aptSourceFiles(etcApt);
  const mirror = mirrorFromSources(files);
  if (mirror) return mirror;
  throw new Error(
    `boot lab: no Debian ${SUITE} mirror in apt's sources (${files.length ? files.map((f) => f.path).join(', ') : `no sources.list or sources.list.d/*.{list,sources} under ${etcApt}`}). ` +
      `debootstrap uses the mirror apt uses here: add one, e.g. "deb http://deb.debian.org/debian ${SUITE} main" to ${join(etcApt, 'sources.list')}, ` +
      `or a deb822 stanza with "Types: deb", "URIs: ..." and "Suites: ${SUITE}" in ${join(etcApt, 'sources.list.d', 'debian.sources')}.`,
  );
}

/** linux-image-6.1.0-NN-amd64: what linux-image-amd64 depends on today. */
export function kernelPackage(): string {
  const out = execFileSync('apt-cache', ['depends', 'linux-image-amd64'], { encoding: 'utf8' });
  const m = /Depends:\s*(linux-image-[0-9][^\s]*-amd64)/.exec(out);
  if (!m) throw new Error(`cannot find the kernel package linux-image-amd64 depends on:\n${out}`);
  return m[1] as string;
}

export function ensureBaseImage(): BaseImage {
  const mirror = debianMirror();
  const kpkg = kernelPackage();
  const h = createHash('sha256');
  h.update(JSON.stringify({ PACKAGES, SUITE, mirror, kpkg }));
  h.update(readFileSync(join(SCRIPTS, 'build-base.sh')));
  const dir = join(cacheRoot(), h.digest('hex').slice(0, 16));
  mkdirSync(cacheRoot(), { recursive: true });
  const built = !existsSync(join(dir, 'done'));
  // build-base.sh is a no-op when the entry exists; bounded by a hard timeout
  execFileSync('sh', [join(SCRIPTS, 'build-base.sh'), dir, mirror, SUITE, kpkg, PACKAGES.join(',')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 900_000,
  });
  const timings: Record<string, number> = {};
  for (const line of readFileSync(join(dir, 'timings'), 'utf8').split('\n')) {
    const [k, v] = line.split('=');
    if (k && v) timings[k] = Number(v);
  }
  const kver = readFileSync(join(dir, 'kver'), 'utf8').trim();
  return { dir, rootfs: join(dir, 'rootfs'), vmlinuz: join(dir, 'vmlinuz'), kver, timings, built };
}

/**
 * A busybox initramfs built from the base, cached beside it: 'boot' mounts
 * /dev/vda and switch_roots to systemd; 'guest' stays in the initramfs and
 * runs /mpgen/run.sh (see busybox-guest.ts) with the given modules loadable.
 */
export function ensureInitramfs(base: BaseImage, mode: 'boot' | 'guest', modules: string[] = []): string {
  const h = createHash('sha256');
  h.update(readFileSync(join(SCRIPTS, 'build-initramfs.sh')));
  h.update(JSON.stringify({ mode, modules }));
  const out = join(base.dir, `initramfs-${mode}-${h.digest('hex').slice(0, 12)}.cpio.gz`);
  if (!existsSync(out)) {
    execFileSync('sh', [join(SCRIPTS, 'build-initramfs.sh'), base.rootfs, base.kver, out, mode, ...modules], {
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 300_000,
    });
  }
  return out;
}

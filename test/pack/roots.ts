/** Throwaway package-manager roots for the lifecycle tests. */
import { execFileSync, type ExecFileSyncOptions, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, lstatSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `mpgen-${prefix}-`));

export function run(cmd: string, args: string[], opts: ExecFileSyncOptions = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts }) as string;
}

/** stdout and stderr together, and the exit status, without throwing. */
export function runAll(cmd: string, args: string[], opts: ExecFileSyncOptions = {}): { status: number; out: string } {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts }) as string;
    return { status: 0, out };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { status: err.status ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/**
 * A minimal dpkg database: the packages our Depends name are recorded as
 * installed stubs, so dpkg resolves dependencies without --force-depends.
 */
export function dpkgRoot(stubs: string[]): string {
  const root = tempDir('dpkg');
  mkdirSync(join(root, 'var/lib/dpkg/info'), { recursive: true });
  mkdirSync(join(root, 'var/lib/dpkg/updates'), { recursive: true });
  const status = stubs
    .map((p) => `Package: ${p}\nStatus: install ok installed\nVersion: 99\nArchitecture: all\nMaintainer: stub <stub@example.com>\nDescription: stub for tests\n`)
    .join('\n');
  writeFileSync(join(root, 'var/lib/dpkg/status'), status);
  for (const p of stubs) writeFileSync(join(root, `var/lib/dpkg/info/${p}.list`), '');
  return root;
}

/** path -> "type:mode:mtime:content-or-target" for every entry under root, for whole-tree comparisons. */
export function snapshotTree(root: string, opts: { mtimes?: boolean } = {}): Map<string, string> {
  const mtimes = opts.mtimes ?? true;
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, r));
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.set(r, `link:${readlinkSync(join(root, r))}`);
      else if (st.isDirectory()) {
        out.set(r, `dir:${mode}`);
        walk(r);
      } else out.set(r, `file:${mode}:${mtimes ? Math.floor(st.mtimeMs) : '-'}:${readFileSync(join(root, r)).toString('base64')}`);
    }
  };
  walk('');
  return out;
}

/** dpkg into root D, scripts run chrootless on the host with DPKG_ROOT=D (as deb-lifecycle.test.ts). */
export function dpkgIn(D: string): { dpkg: (...args: string[]) => string; dpkgAll: (...args: string[]) => { status: number; out: string }; status: (pkg: string) => string } {
  const args = (a: string[]): string[] => [`--root=${D}`, '--force-script-chrootless', `--log=${join(D, 'dpkg.log')}`, ...a];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return {
    dpkg: (...a) => run('dpkg', args(a), { env }),
    dpkgAll: (...a) => {
      // stdout and stderr both, also on success: maintainer scripts warn on stderr
      const r = spawnSync('dpkg', args(a), { env, encoding: 'utf8' });
      return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
    },
    status: (pkg) => runAll('dpkg-query', [`--admindir=${join(D, 'var/lib/dpkg')}`, '-W', '-f', '${Status} ${Version}', pkg]).out,
  };
}

/**
 * An rpm root W/root whose /usr is an overlay of the host's (inside
 * `unshare -m`, as rpm-lifecycle.test.ts): scriptlets run the real /bin/sh
 * and systemctl chrooted into it, and their writes land in W/upper.
 */
export function rpmOverlayRoot(prefix: string): { W: string; D: string; rpm: (...args: string[]) => string; rpmAll: (...args: string[]) => { status: number; out: string } } {
  const W = tempDir(prefix);
  for (const d of ['root/usr', 'upper', 'work', 'pkgs']) mkdirSync(join(W, d), { recursive: true });
  const script = (args: string[]): string[] => ['-m', 'sh', '-euc', `mount -t overlay overlay -o lowerdir=/usr,upperdir="$1/upper",workdir="$1/work" "$1/root/usr"
      for l in bin sbin lib lib64; do [ -e "$1/root/$l" ] || ln -s usr/$l "$1/root/$l"; done
      mkdir -p "$1/root/dev" "$1/root/run" "$1/root/tmp" && touch "$1/root/dev/null" && mount --bind /dev/null "$1/root/dev/null"
      rpm --root "$1/root" ${args.map((a) => `'${a}'`).join(' ')} 2>&1`, 'sh', W];
  return { W, D: join(W, 'root'), rpm: (...a) => run('unshare', script(a)), rpmAll: (...a) => runAll('unshare', script(a)) };
}

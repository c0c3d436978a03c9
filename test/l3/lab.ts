/**
 * The L3 lab: a `router` namespace holding the fixture's interfaces by their
 * real names, each a veth whose peer sits in its own `modem` namespace (with
 * the uplink's gateway address, so neighbours resolve and links have
 * carrier), and the LAN's peer in a `lan` namespace. Only documentation
 * addresses from the fixtures; nothing leaves the namespaces.
 *
 * ifupdown runs for real inside the router namespace. `ip netns exec` gives
 * each command a private mount namespace (slave of the host's), so the
 * rendered tree's usr/libexec is bind-mounted over /usr/libexec there: the
 * interfaces file calls its helper by its installed path, unchanged, and
 * the host never sees the mount.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '../../src/model/model.js';

const TIMEOUT = 30_000;

export interface Run {
  code: number;
  out: string;
}

export class Lab {
  readonly router: string;
  readonly namespaces: string[] = [];
  readonly stateDir: string;

  constructor(tag: string) {
    this.router = `mpl3-${process.pid}-${tag}`;
    this.stateDir = mkdtempSync(join(tmpdir(), `mpl3-state-${tag}-`));
  }

  private addNs(name: string): void {
    execFileSync('ip', ['netns', 'add', name], { timeout: TIMEOUT });
    this.namespaces.push(name);
    this.ip(name, 'link', 'set', 'lo', 'up');
  }

  ip(ns: string, ...args: string[]): string {
    return execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8', timeout: TIMEOUT, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Runs a command in the router namespace; never throws. */
  exec(args: string[]): Run {
    const r = spawnSync('ip', ['netns', 'exec', this.router, ...args], { encoding: 'utf8', timeout: TIMEOUT });
    return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
  }

  /** The router, one modem namespace per uplink, one for the LAN; veth pairs between them. */
  build(model: Model): void {
    this.addNs(this.router);
    model.uplinks.forEach((u, i) => {
      const modem = `${this.router}-m${i}`;
      this.addNs(modem);
      this.ip(this.router, 'link', 'add', u.interface, 'type', 'veth', 'peer', 'name', 'wan', 'netns', modem);
      if (u.gateway) this.ip(modem, 'addr', 'add', `${u.gateway}/${u.address!.prefix}`, 'dev', 'wan');
      this.ip(modem, 'link', 'set', 'wan', 'up');
    });
    if (model.lan) {
      const lan = `${this.router}-lan`;
      this.addNs(lan);
      this.ip(this.router, 'link', 'add', model.lan.interface, 'type', 'veth', 'peer', 'name', 'host', 'netns', lan);
      this.ip(lan, 'link', 'set', 'host', 'up');
    }
  }

  /** ifup/ifdown for real, with the rendered tree's /usr/libexec in place. */
  ifupdown(root: string, cmd: 'ifup' | 'ifdown', file: string, targets: string[]): Run {
    const script = 'mount --bind "$1/usr/libexec" /usr/libexec && shift && exec "$@"';
    return this.exec(['sh', '-c', script, 'sh', root, cmd, '-i', file, '--state-dir', this.stateDir, ...targets]);
  }

  destroy(): void {
    for (const ns of [...this.namespaces].reverse()) spawnSync('ip', ['netns', 'del', ns], { timeout: TIMEOUT });
    this.namespaces.length = 0;
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** Namespaces left over from this process (a crashed run), by our prefix only. */
export function leftoverNamespaces(): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: TIMEOUT }).stdout ?? '';
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`mpl3-${process.pid}-`));
}

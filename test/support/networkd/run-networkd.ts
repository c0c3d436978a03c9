/**
 * The real systemd-networkd of this machine inside a network namespace: a private mount
 * namespace with /run/systemd on a tmpfs, the rendered files bind-mounted over
 * /etc/systemd/network (and /run/systemd/network for netplan's output), /sys read-only so
 * networkd does not wait for udev (as in a container). It needs no D-Bus for what the tests do.
 * Bounded by timeout(1) in any case.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export const NETWORKD = '/lib/systemd/systemd-networkd';

export interface NetworkdProcess {
  child: ChildProcess;
  /** the last 20 KB of its stderr (its log) */
  log: () => string;
  stop: () => void;
}

export function startNetworkd(ns: string, root: string, o: { withRun?: boolean; timeoutS?: number; env?: string } = {}): NetworkdProcess {
  const script = [
    'set -e',
    'mount --make-rprivate /',
    'mount -o remount,ro /sys',
    'mount -t tmpfs tmpfs /run/systemd',
    'mkdir -p /run/systemd/netif /run/systemd/network',
    'chown systemd-network:systemd-network /run/systemd/netif',
    `mount --bind ${root}/etc/systemd/network /etc/systemd/network`,
    o.withRun ? `mount --bind ${root}/run/systemd/network /run/systemd/network` : 'true',
    `exec ${o.env ?? ''} timeout ${o.timeoutS ?? 90} ${NETWORKD}`,
  ].join('\n');
  const child = spawn('ip', ['netns', 'exec', ns, 'sh', '-c', script], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (b: Buffer) => {
    log = (log + b.toString()).slice(-20_000);
  });
  const stop = () => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
  };
  return { child, log: () => log, stop };
}

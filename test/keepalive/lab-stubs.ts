/**
 * Stubs and edits for the keepalive lab: a recording tc (the host kernel has no sch_teql) and
 * KEY=VALUE replacements in an installed configuration (a stub helper, a lab directory).
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Installed } from './lab.js';

/** Replaces KEY=... lines of the installed configuration (a stub helper, a metrics directory of the lab). */
export function patchConf(inst: Installed, name: string, keys: Record<string, string>): void {
  const f = join(inst.etc, `${name}.conf`);
  let text = readFileSync(f, 'utf8');
  for (const [k, v] of Object.entries(keys)) {
    const re = new RegExp(`^${k}=.*$`, 'm');
    if (!re.test(text)) throw new Error(`no ${k}= in ${f}`);
    text = text.replace(re, `${k}=${v}`);
  }
  writeFileSync(f, text);
}

/**
 * A tc that remembers which devices have teql0 as root qdisc (one file each under tcstate/) and
 * logs every change to tc.log: the host kernel has no sch_teql. Returns the PATH to run with.
 */
export function tcStub(inst: Installed, attached: string[]): { path: string; state: string; log: string } {
  const bin = join(inst.dir, 'bin');
  const state = join(inst.dir, 'tcstate');
  const log = join(inst.dir, 'tc.log');
  mkdirSync(bin, { recursive: true });
  mkdirSync(state, { recursive: true });
  for (const dev of attached) writeFileSync(join(state, dev), '');
  writeFileSync(
    join(bin, 'tc'),
    `#!/bin/sh
S='${state}'
case "$*" in
"qdisc show dev "*" root") [ -f "$S/$4" ] && echo "qdisc teql0 0: root refcnt 2" || echo "qdisc noqueue 0: root refcnt 2"; exit 0 ;;
"qdisc del dev "*" root") echo "$*" >> '${log}'; rm -f "$S/$4" ;;
"qdisc add dev "*" root teql0") echo "$*" >> '${log}'; : > "$S/$4" ;;
*) echo "unexpected: $*" >> '${log}'; exit 1 ;;
esac
`,
  );
  chmodSync(join(bin, 'tc'), 0o755);
  return { path: `${bin}:${process.env.PATH}`, state, log };
}

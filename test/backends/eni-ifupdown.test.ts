/**
 * L1/L2 for the eni backend: real ifupdown reads every rendered interfaces
 * file (`ifup --no-act`, `ifdown --no-act --force`) and prints the commands
 * it would run; a whitelist catches options ifupdown would silently ignore;
 * shellcheck and three shells check the helper, which runs against a stub
 * `ip` that records its calls.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, fixtureModel, type FixtureName } from '../support/fixtures.js';
import { hasCommand, missing } from '../support/require.js';
import { KNOWN_OPTIONS, parseInterfaces, renderEni, writeTree } from '../l3/eni-files.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

async function rendered(name: FixtureName) {
  const r = await renderEni(name);
  const root = writeTree(r.contribution.files);
  roots.push(root);
  return { ...r, root, file: join(root, r.interfaces.path), helperFile: join(root, r.helper.path) };
}

function ifupdown(cmd: 'ifup' | 'ifdown', args: string[]): { code: number; out: string } {
  const state = mkdtempSync(join(tmpdir(), 'mpgen-eni-state-'));
  roots.push(state);
  const r = spawnSync(cmd, ['--no-act', '--state-dir', state, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

describe('eni: every option is one ifupdown knows', () => {
  for (const name of FIXTURES) {
    it(name, async () => {
      const { interfaces } = await renderEni(name);
      const stanzas = parseInterfaces(interfaces.content);
      expect(stanzas.length).toBeGreaterThan(0);
      for (const s of stanzas) {
        expect(s.family).toBe('inet');
        const known = KNOWN_OPTIONS[s.method];
        expect(known, `${s.iface}: method ${s.method}`).toBeDefined();
        for (const o of s.options) expect(known, `${s.iface} line ${o.line}: ${o.key}`).toContain(o.key);
        expect(s.auto, `${s.iface} has an auto line`).toBe(true);
      }
    });
  }
});

const noIfup = missing({ commands: ['ifup', 'ifdown'] });
describe.skipIf(noIfup)('eni L2: ifup/ifdown --no-act accept the file and print the commands', () => {
  for (const name of FIXTURES) {
    it(name, async () => {
      const model = fixtureModel(name);
      const { file, helper } = await rendered(name);
      const up = ifupdown('ifup', ['-i', file, '-a']);
      expect(up.code, up.out).toBe(0);
      expect(up.out).not.toMatch(/^(ifup|ifdown):|unknown|ignoring|misspell/im);
      const want: string[] = [];
      for (const u of model.uplinks) {
        if (u.noPrefixRoute) want.push(`ip addr replace ${u.address!.cidr} broadcast ${u.address!.broadcast} dev ${u.interface} noprefixroute`);
        else want.push(`ip addr add ${u.address!.address}/${u.address!.netmask}`);
        want.push(`ip rule add priority ${u.rulePriority} from ${u.address!.address}/32 lookup ${u.table}`);
        for (const d of model.routes) {
          want.push(`ip route replace ${d}${u.gateway ? ` via ${u.gateway}` : ''} dev ${u.interface} src ${u.address!.address} proto static`);
          if (model.routing.prohibitFallback) want.push(`ip route replace prohibit ${d} proto static metric 1 table ${u.table}`);
        }
        if (u.onlink && u.gateway) want.push(`ip route replace ${u.gateway} dev ${u.interface} scope link proto static`);
        if (model.bond) want.push(`tc qdisc replace dev ${u.interface} root ${model.bond.interface}`);
        want.push(`${helper.path} up ${u.interface}`);
        if (u.mac) want.push(`address ${u.mac}`);
      }
      if (model.lan) want.push(`ip addr add ${model.lan.address.address}/${model.lan.address.netmask}`);
      if (model.bond) {
        want.push('modprobe sch_teql', `ip addr add ${model.bond.address.address}/${model.bond.address.netmask}`);
        want.push(`ip route replace default via ${model.bond.gateway} dev ${model.bond.interface} proto static onlink`);
      }
      for (const w of want) expect(up.out, w).toContain(w);

      // ifupdown brings auto interfaces up in file order: a teql master only after its slaves
      if (model.bond) {
        const bondAt = up.out.indexOf(`dev ${model.bond.interface} label`);
        for (const u of model.uplinks) expect(up.out.indexOf(`tc qdisc replace dev ${u.interface} root`)).toBeLessThan(bondAt);
      }

      for (const u of model.uplinks) {
        const down = ifupdown('ifdown', ['--force', '-i', file, u.interface]);
        expect(down.code, down.out).toBe(0);
        expect(down.out).toContain(`${helper.path} down ${u.interface}`);
        expect(down.out).toContain(`ip rule del priority ${u.rulePriority} from ${u.ruleFrom!} lookup ${u.table}`);
        if (model.bond) expect(down.out).toContain(`tc qdisc del dev ${u.interface} root`);
        // the helper leaves this uplink out before its link goes down
        expect(down.out.indexOf(`${helper.path} down`)).toBeLessThan(down.out.indexOf(`ip link set dev ${u.interface} down`));
      }
    });
  }
});

const noShellcheck = missing({ commands: ['shellcheck'] });
describe.skipIf(noShellcheck)('eni L1: shellcheck -s sh on the helper and on every command line', () => {
  for (const name of FIXTURES) {
    it(name, async () => {
      const { helperFile, interfaces } = await rendered(name);
      const r = spawnSync('shellcheck', ['-s', 'sh', helperFile], { encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
      // ifupdown runs each command line with /bin/sh -c: check them as one script
      const lines = parseInterfaces(interfaces.content).flatMap((s) => s.options.filter((o) => o.key.includes('-') || o.key === 'up' || o.key === 'down').map((o) => o.value));
      const script = join(mkdtempSync(join(tmpdir(), 'mpgen-eni-sc-')), 'commands.sh');
      roots.push(join(script, '..'));
      writeFileSync(script, `#!/bin/sh\n${lines.join('\n')}\n`);
      const c = spawnSync('shellcheck', ['-s', 'sh', script], { encoding: 'utf8' });
      expect(c.stdout + c.stderr).toBe('');
      expect(c.status).toBe(0);
    });
  }
});

/** A stub `ip` on PATH: links in $UP are up with their address; every call is logged. */
function stubIp(dir: string): string {
  const log = join(dir, 'ip.log');
  writeFileSync(
    join(dir, 'ip'),
    `#!/bin/sh
echo "ip $*" >> "${log}"
case "$*" in
  "-o link show dev "*" up") for l in $UP; do [ "$5" = "$l" ] && echo "9: $l: <UP>"; done; exit 0 ;;
  "-o -4 addr show dev "*) for l in $UP; do [ "$6" = "$l" ] && echo "9: $l inet $8"; done; exit 0 ;;
  "rule add "*) if [ "\${RULE_EXISTS:-0}" = 1 ]; then echo "RTNETLINK answers: File exists" >&2; exit 2; fi ;;
  "rule del "*) exit 2 ;;
  *"equalize"*) echo 'Error: either "to" is duplicate, or "equalize" is a garbage.' >&2; exit 255 ;;
esac
exit 0
`,
  );
  chmodSync(join(dir, 'ip'), 0o755);
  return log;
}

// busybox sh runs its own `ip` applet before PATH, so it only gets a parse check (sh -n) below.
const shells = ['dash', 'bash'].filter(hasCommand);
describe('eni: the helper builds the route from the uplinks that are up (stub ip)', () => {
  it('at least two shells are here to run it', () => expect(shells.length).toBeGreaterThanOrEqual(2));

  it.skipIf(!hasCommand('busybox'))('busybox sh parses every helper', async () => {
    for (const name of FIXTURES) {
      const { helperFile } = await rendered(name);
      const r = spawnSync('busybox', ['sh', '-n', helperFile], { encoding: 'utf8' });
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
    }
  });

  function run(shell: string, helperFile: string, args: string[], env: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'mpgen-eni-stub-'));
    roots.push(dir);
    const log = stubIp(dir);
    writeFileSync(log, '');
    const r = spawnSync(shell, [helperFile, ...args], { encoding: 'utf8', env: { ...process.env, ...env, PATH: `${dir}:${process.env.PATH}` }, timeout: 10_000 });
    return { code: r.status, err: r.stderr, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
  }

  for (const shell of shells) {
    it(`${shell}: seed001 both up, one going down, none left`, async () => {
      const { helperFile } = await rendered('seed001-multipath');
      const both = run(shell, helperFile, ['up', 'eth2'], { UP: 'eth1 eth2' });
      expect(both.code, both.err).toBe(0);
      expect(both.calls).toContain('ip route replace default table 222 proto static nexthop via 192.0.2.1 dev eth1 weight 1 nexthop via 192.0.2.9 dev eth2 weight 1');
      expect(both.calls).toContain('ip rule add priority 200 lookup main suppress_prefixlength 0');
      expect(both.calls).toContain('ip rule add priority 222 lookup 222');

      const leaving = run(shell, helperFile, ['down', 'eth1'], { UP: 'eth1 eth2' });
      expect(leaving.code).toBe(0);
      expect(leaving.calls).toContain('ip route replace default table 222 proto static nexthop via 192.0.2.9 dev eth2 weight 1');
      expect(leaving.calls.some((c) => c.startsWith('ip rule del'))).toBe(false);

      const none = run(shell, helperFile, ['down', 'eth2'], { UP: 'eth2' });
      expect(none.code).toBe(0);
      expect(none.calls).toContain('ip rule del priority 222 lookup 222');
      expect(none.calls).toContain('ip rule del priority 200 lookup main suppress_prefixlength 0');
      expect(none.calls).toContain('ip route del default table 222 proto static');
      expect(none.calls.some((c) => c.startsWith('ip route replace'))).toBe(false);

      const again = run(shell, helperFile, ['up', 'eth1'], { UP: 'eth1 eth2', RULE_EXISTS: '1' });
      expect(again.code, 'an existing rule is not an error').toBe(0);
      const bad = run(shell, helperFile, ['sideways', 'eth1'], { UP: '' });
      expect(bad.code).toBe(2);
    });

    it(`${shell}: seed000 equalize falls back when ip rejects the keyword`, async () => {
      const { helperFile } = await rendered('seed000-equalize');
      const r = run(shell, helperFile, ['up', 'eth1'], { UP: 'eth0 eth1' });
      expect(r.code, r.err).toBe(0);
      expect(r.calls).toContain('ip route replace 192.0.2.0/24 table 222 proto static equalize nexthop dev eth0 weight 1 nexthop dev eth1 weight 1');
      expect(r.calls).toContain('ip route replace 192.0.2.0/24 table 222 proto static nexthop dev eth0 weight 1 nexthop dev eth1 weight 1');
    });
  }
});

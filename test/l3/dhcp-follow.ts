/**
 * What the L3 tests of a DHCP uplink share: the profile (one static line, one DHCP line), its
 * render written under a root, the keepalive run in the lab's router namespace with the
 * rendered configuration, and the readers that say whether the kernel follows the lease.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkKernel } from '../../src/check/check-kernel.js';
import { readKernel } from '../../src/check/read-kernel.js';
import type { CheckResult } from '../../src/check/result.js';
import { loadModelFromText } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';
import { renderPlan } from '../../src/plan/render.js';
import { writeFilesUnder } from '../support/tree.js';
import { Daemon, install, type Installed, type Lab } from '../keepalive/lab.js';
import { DHCP_IF, STATIC_ADDR, STATIC_GW, STATIC_IF, TARGET, type DhcpLab } from './dhcp-lab.js';

export const NAME = 'lab';
export const DHCP_TABLE = 202;

/** One static uplink (the lab's r1) and one DHCP uplink (r2); the keepalive probes far at TARGET. */
export const PROFILE = `version: 1
name: ${NAME}
mode: multipath
uplinks:
  - {name: line1, interface: ${STATIC_IF}, address: ${STATIC_ADDR}/29, gateway: ${STATIC_GW}}
  - {name: cable, interface: ${DHCP_IF}, address: dhcp}
nat: masquerade
firewall: nftables
keepalive: {interval: 100ms, timeout: 300ms, down: 4, up: 6, targets: [${TARGET}]}
`;

export const model = (): Model => loadModelFromText(PROFILE, 'dhcp-follow.yaml').model;

/** The render for a distro and backend, written under a fresh root. */
export function renderRoot(m: Model, distro: string, backend: string): { root: string; paths: string[] } {
  const plan = renderPlan(m, distro, backend);
  const root = mkdtempSync(join(tmpdir(), `mpgen-dhcp-${backend}-`));
  writeFilesUnder(root, plan.files);
  return { root, paths: plan.files.map((f) => f.path) };
}

/** The rendered keepalive in the lab's router namespace (its configuration is the render's). */
export function startKeepalive(lab: DhcpLab, m: Model): { inst: Installed; daemon: Daemon } {
  const inst = install(m);
  const daemon = new Daemon({ ns: { router: lab.ns.router } } as unknown as Lab, inst, NAME, ['dash']);
  daemon.start();
  return { inst, daemon };
}

export interface Follow {
  rules: string;
  multipath: string;
}

/** The rules and the multipath route of the router, as ip prints them. */
export function kernelView(lab: DhcpLab, table: number): Follow {
  return { rules: lab.ip(lab.ns.router, '-4', 'rule', 'show'), multipath: lab.ip(lab.ns.router, '-o', '-4', 'route', 'show', 'table', String(table)) };
}

/** The rule from ADDR to the DHCP uplink's table, and the nexthop through ROUTER, are in place. */
export function follows(v: Follow, addr: string, router: string): boolean {
  return v.rules.includes(`from ${addr} lookup ${DHCP_TABLE}`) && v.multipath.includes(`nexthop via ${router} dev ${DHCP_IF} `) && v.multipath.includes(`dev ${STATIC_IF} `);
}

/** `mpgen check`'s comparison for the routing areas and the lease, read from the lab (keepalive status included). */
export function checkResults(m: Model, lab: DhcpLab, inst: Installed): CheckResult[] {
  return checkKernel(m, readKernel({ netns: lab.ns.router, runDir: inst.run })).filter((r) => ['lease', 'rule', 'table', 'multipath'].includes(r.area));
}

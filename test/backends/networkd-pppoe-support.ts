/** The PPPoE profiles of the networkd and netplan PPPoE tests, and their readers. */
import { loadModelFromText } from '../../src/model/load.js';
import type { Plan } from '../../src/plan/plan.js';
import { renderPlan } from '../../src/plan/render.js';
import { parseIni } from '../support/networkd/networkd-readback.js';

export const PASSWORD = 'Sekr3t Pa55#x';
/** multipath, one static uplink and one PPPoE uplink; `secret` is the pppoe section's password key */
export const pppoeProfile = (secret: string, ether = 'eth2') => `version: 1
name: dsl
mode: multipath
firewall: nftables
lan: {interface: eth0, address: 198.51.100.129/25}
routes: [default, 203.0.113.64/26]
uplinks:
  - {name: fibre, interface: eth1, address: 192.0.2.2/29, gateway: 192.0.2.1}
  - name: adsl
    interface: ${ether}
    address: pppoe
    pppoe: {username: "user@isp.example", ${secret}}
`;
export const FILE_PROFILE = pppoeProfile('password_file: /etc/mpgen/secrets/adsl');
export const INLINE_PROFILE = pppoeProfile(`password: "${PASSWORD}"`);
/** the backends and the distros they are rendered for: networkd on arch (257) and debian (252), netplan on ubuntu and debian */
export const TARGETS = [
  ['networkd', 'arch'],
  ['networkd', 'debian'],
  ['netplan', 'ubuntu'],
  ['netplan', 'debian'],
] as const;

export const render = (text: string, backend: string, distro: string): Plan => renderPlan(loadModelFromText(text, 'p.yaml').model, distro, backend);
export const fileOf = (p: Plan, path: string) => {
  const f = p.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${p.files.map((x) => x.path).join(' ')}`);
  return f;
};
/** `Section.Key=Value` of every entry, in order */
export const entries = (text: string): string[] => parseIni(text).flatMap((s) => s.entries.map((e) => `${s.name}.${e.key}=${e.value}`));


/** Steering profiles for the firewall tests: two uplinks, pinned connections, two policies (one fallback none). */
import { renderContext, type RenderContext } from '../../src/backends/backend.js';
import { firewall } from '../../src/backends/firewall.js';
import { getDistro } from '../../src/distros/registry.js';
import { loadModelFromText } from '../../src/model/load.js';
import type { PlannedFile } from '../../src/plan/plan.js';

export interface SteerOptions {
  firewall?: 'nftables' | 'iptables' | 'none';
  pinFlows?: boolean;
  policies?: boolean;
  name?: string;
}

/** Documentation addresses only: uplinks in 192.0.2.0/24, the LAN in 198.51.100.0/24, far ends in 203.0.113.0/24. */
export function steerProfile(o: SteerOptions = {}): string {
  const nat = o.firewall === 'none' ? 'none' : 'masquerade';
  const lines = [
    'version: 1',
    `name: ${o.name ?? 'steer'}`,
    'mode: multipath',
    'lan: {interface: lan0, address: 198.51.100.1/24}',
    'uplinks:',
    `  - {name: dsl1, interface: up0, address: 192.0.2.2/29, gateway: 192.0.2.1, nat: ${nat}}`,
    `  - {name: dsl2, interface: up1, address: 192.0.2.10/29, gateway: 192.0.2.9, nat: ${nat}}`,
    `firewall: ${o.firewall ?? 'nftables'}`,
    'keepalive: {targets: [203.0.113.99]}',
  ];
  if (o.pinFlows !== undefined) lines.push(`routing: {pin_flows: ${o.pinFlows}}`);
  if (o.policies ?? o.firewall !== 'none')
    lines.push(
      'policies:',
      '  - {name: voip, match: {protocol: udp, dport: [5060, "10000-10100"], src: [198.51.100.0/25]}, uplinks: [dsl2, dsl1]}',
      '  - {name: bank-web, match: {protocol: tcp, dport: 443, dst: [203.0.113.0/25, 203.0.113.128/26]}, uplinks: [dsl1], fallback: none}',
    );
  return `${lines.join('\n')}\n`;
}

export function steerContext(o: SteerOptions = {}): RenderContext {
  const { model } = loadModelFromText(steerProfile(o), 'steer.yaml');
  return renderContext(model, getDistro('debian'));
}

export const fileOf = (files: PlannedFile[], suffix: string): PlannedFile => {
  const f = files.find((x) => x.path.endsWith(suffix));
  if (!f) throw new Error(`no ${suffix} in ${files.map((x) => x.path).join(', ')}`);
  return f;
};

export const renderSteer = (o: SteerOptions = {}) => firewall(steerContext(o));

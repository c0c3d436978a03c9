// Deterministic generated profiles for the batch bench: N files p00000.yaml...
// cycling through teql, multipath and equalize with 2 to 6 uplinks.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function profileYaml(i) {
  const mode = ['teql', 'multipath', 'equalize'][i % 3];
  const n = 2 + (i % 5);
  const lines = ['version: 1', `name: site-${i}`, `description: generated site ${i}`, `mode: ${mode}`, 'lan:', '  interface: lan0', `  address: 172.16.${i % 250}.1/24`, 'uplinks:'];
  for (let k = 0; k < n; k++) {
    const third = (i * 7 + k) % 256;
    lines.push(`  - name: wan${k}`, `    interface: eth${k + 1}`, `    address: 10.${k + 1}.${third}.1/30`, `    gateway: 10.${k + 1}.${third}.2`);
    if (mode !== 'teql') lines.push(`    weight: ${1 + ((i + k) % 10)}`);
  }
  if (mode === 'teql') lines.push('bond:', `  interface: teql${i % 10}`, '  address: 203.0.113.1/29', '  gateway: 203.0.113.6', 'nat: masquerade');
  else lines.push('nat: masquerade', 'firewall: nftables');
  lines.push('package:', '  version: "1.0.0"', '  maintainer: "ISP Provisioning <noc@example.net>"');
  return `${lines.join('\n')}\n`;
}

export function writeProfiles(dir, count) {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(join(dir, `p${String(i).padStart(5, '0')}.yaml`), profileYaml(i));
}

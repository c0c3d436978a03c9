/**
 * NAT per uplink (or on the teql bond) and the stateful keep_state chain of
 * seed 001, as an nftables file or iptables-restore rules, loaded by
 * mpgen-firewall-NAME.service (docs/kernel-state.md, "NAT and firewall").
 */
import { FILE_MODE, planFile } from '../base/planned-file.js';
import { renderTemplate } from '../base/templates.js';
import { literal } from '../state/value.js';
import { marker, type Backend } from './backend.js';

export const firewall: Backend = (ctx) => {
  const { model: m, state: s } = ctx;
  if (m.firewall === 'none') return { files: [] };
  const nat = s.nat.map((r) => ({ interface: r.interface, address: literal(r.address), kind: r.kind }));
  const files = [];
  const nft = m.firewall === 'nftables';
  const rulesPath = nft ? s.names.files.nft : s.names.files.iptables;
  if (nft) {
    files.push(planFile(rulesPath, renderTemplate('common/firewall.nft', { marker: marker(m), name: m.name, table: s.names.nft.table, nat })));
  } else {
    files.push(planFile(rulesPath, renderTemplate('common/firewall.rules', { marker: marker(m), ks: s.names.iptables.keepState, natChain: s.names.iptables.nat, nat })));
  }
  // Per profile, like every file a profile ships: two profiles' packages never own the same path.
  const helper = s.names.files.firewallHelper;
  files.push(planFile(helper, renderTemplate('common/firewall.sh', {}), FILE_MODE.executable));
  // One unit per profile (not a template instance): deb-systemd-helper and rpm presets enable it as it is.
  const unit = s.names.units.firewall;
  const rulesFile = rulesPath.slice(rulesPath.lastIndexOf('/') + 1);
  files.push(planFile(`/usr/lib/systemd/system/${unit}`, renderTemplate('common/firewall.service', { marker: marker(m), name: m.name, rulesFile, helper })));
  return {
    files,
    enable: [unit],
    depends: { deb: [nft ? 'nftables' : 'iptables'], rpm: [nft ? 'nftables' : 'iptables-nft'] },
    notes: nat.length > 0 ? [`NAT: ${nat.map((r) => `${r.kind} on ${r.interface}`).join(', ')} (${m.firewall}, ${unit})`] : [],
  };
};

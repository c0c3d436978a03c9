/**
 * NAT per uplink (or on the teql bond) and the stateful keep_state chain of
 * seed 001, as an nftables file or iptables-restore rules, loaded by
 * mpgen-firewall-NAME.service (docs/kernel-state.md, "NAT and firewall").
 */
import { FILE_MODE, planFile } from '../base/planned-file.js';
import { renderTemplate } from '../base/templates.js';
import { isRuntime, literal } from '../state/value.js';
import { marker, type Backend } from './backend.js';
import { iptSteering, nftSteering } from './firewall-steering.js';

/** What a multipath or equalize render says about pinned connections. */
function pinNotes(mode: string, firewall: string, pinFlows: boolean): string[] {
  if (mode !== 'multipath' && mode !== 'equalize') return [];
  if (firewall === 'none')
    return ['connections are not pinned: with firewall none no rule marks them, so a connection may move to another line when the multipath route changes (a line fails or returns) and break; set firewall: nftables (or iptables) to pin them'];
  if (!pinFlows) return ['routing.pin_flows is false: connections on healthy lines may move when another line fails or returns'];
  return [];
}

export const firewall: Backend = (ctx) => {
  const { model: m, state: s } = ctx;
  const notes = pinNotes(s.mode, m.firewall, s.steering.pinFlows);
  if (m.firewall === 'none') {
    // nothing to clamp with: say so, LAN clients' large segments then rely on path MTU discovery
    for (const c of s.mssClamp) notes.push(`PPPoE on ${c.interface}: firewall none, so TCP MSS is not clamped to ${c.mss} for LAN clients; set firewall: nftables (or iptables) to clamp it`);
    return notes.length > 0 ? { files: [], notes } : { files: [] };
  }
  // a leased address is masquerade's to pick at each packet: no address in the rule
  const nat = s.nat.map((r) => ({ interface: r.interface, address: isRuntime(r.address) ? '' : literal(r.address), kind: r.kind }));
  const files = [];
  const nft = m.firewall === 'nftables';
  const rulesPath = nft ? s.names.files.nft : s.names.files.iptables;
  // Steering (connection marks) only when the state has marks: without them every file stays as it was.
  const steer = nft ? nftSteering(s) : iptSteering(s);
  const flags = { steer: steer ?? false, pin: steer?.pin ?? false, reject: steer?.reject ?? false };
  // PPPoE: a SYN's MSS fits the PPP link, both ways (iptables' tcpmss match takes a range: above MSS)
  const mss = s.mssClamp.map((c) => ({ interface: c.interface, mss: c.mss, above: c.mss + 1 }));
  if (nft) {
    files.push(planFile(rulesPath, renderTemplate('common/firewall.nft', { marker: marker(m), name: m.name, table: s.names.nft.table, nat, mss, chains: s.names.nft, ...flags })));
  } else {
    files.push(planFile(rulesPath, renderTemplate('common/firewall.rules', { marker: marker(m), ks: s.names.iptables.keepState, natChain: s.names.iptables.nat, nat, mss, mssChain: s.names.iptables.mss, chains: s.names.iptables, ...flags })));
  }
  // Per profile, like every file a profile ships: two profiles' packages never own the same path.
  const helper = s.names.files.firewallHelper;
  const helperView = steer
    ? { steer: true, name: m.name, policies: s.steering.policies.map((p) => p.name).join(' '), npolicies: s.steering.policies.length, uplinks: s.marks.length, mask: steer.mask, keep: steer.keep, rejectMark: steer.rejectMark }
    : { steer: false };
  files.push(planFile(helper, renderTemplate('common/firewall.sh', helperView), FILE_MODE.executable));
  // One unit per profile (not a template instance): deb-systemd-helper and rpm presets enable it as it is.
  const unit = s.names.units.firewall;
  const rulesFile = rulesPath.slice(rulesPath.lastIndexOf('/') + 1);
  files.push(planFile(`/usr/lib/systemd/system/${unit}`, renderTemplate('common/firewall.service', { marker: marker(m), name: m.name, rulesFile, helper })));
  return {
    files,
    enable: [unit],
    depends: { deb: [nft ? 'nftables' : 'iptables'], rpm: [nft ? 'nftables' : 'iptables-nft'] },
    notes: [...(nat.length > 0 ? [`NAT: ${nat.map((r) => `${r.kind} on ${r.interface}`).join(', ')} (${m.firewall}, ${unit})`] : []), ...notes],
  };
};

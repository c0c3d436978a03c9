/**
 * NAT per uplink (or on the teql bond) and the stateful keep_state chain of
 * seed 001, as an nftables file or iptables-restore rules, loaded by
 * mpgen-firewall-NAME.service (docs/kernel-state.md, "NAT and firewall").
 */
import { FILE_MODE, planFile } from '../plan/plan.js';
import { renderTemplate } from '../plan/templates.js';
import type { Model, NatKind } from '../model/model.js';
import { marker, type Backend } from './backend.js';

export interface NatRule {
  interface: string;
  address: string;
  kind: Exclude<NatKind, 'none'>;
}

export function natRules(m: Model): NatRule[] {
  if (m.bond) return m.bond.nat === 'none' ? [] : [{ interface: m.bond.interface, address: m.bond.address.address, kind: m.bond.nat }];
  return m.uplinks.flatMap((u) => (u.nat === 'none' ? [] : [{ interface: u.interface, address: u.address.address, kind: u.nat }]));
}

/** nft identifiers: letters, digits and underscores. */
export const nftTable = (m: Model): string => `mpgen_${m.name.replace(/-/g, '_')}`;

/** The loader of one profile's rules. */
export const firewallHelper = (m: Model): string => `/usr/libexec/mpgen/${m.name}-firewall`;

/** iptables chain names are at most 28 characters. */
export const iptChain = (m: Model, what: 'ks' | 'nat'): string => `mpgen-${what}-${m.name}`.slice(0, 28);

export const firewall: Backend = (ctx) => {
  const m = ctx.model;
  if (m.firewall === 'none') return { files: [] };
  const nat = natRules(m);
  const files = [];
  if (m.firewall === 'nftables') {
    files.push(planFile(`/etc/mpgen/${m.name}.nft`, renderTemplate('common/firewall.nft', { marker: marker(m), name: m.name, table: nftTable(m), nat })));
  } else {
    files.push(
      planFile(
        `/etc/mpgen/${m.name}.rules`,
        renderTemplate('common/firewall.rules', { marker: marker(m), ks: iptChain(m, 'ks'), natChain: iptChain(m, 'nat'), nat }),
      ),
    );
  }
  // Per profile, like every file a profile ships: two profiles' packages never own the same path.
  const helper = firewallHelper(m);
  files.push(planFile(helper, renderTemplate('common/firewall.sh', {}), FILE_MODE.executable));
  // One unit per profile (not a template instance): deb-systemd-helper and rpm presets enable it as it is.
  const unit = `mpgen-firewall-${m.name}.service`;
  const rulesFile = `${m.name}.${m.firewall === 'nftables' ? 'nft' : 'rules'}`;
  files.push(planFile(`/usr/lib/systemd/system/${unit}`, renderTemplate('common/firewall.service', { marker: marker(m), name: m.name, rulesFile, helper })));
  const nft = m.firewall === 'nftables';
  return {
    files,
    enable: [unit],
    depends: { deb: [nft ? 'nftables' : 'iptables'], rpm: [nft ? 'nftables' : 'iptables-nft'] },
    notes: nat.length > 0 ? [`NAT: ${nat.map((r) => `${r.kind} on ${r.interface}`).join(', ')} (${m.firewall}, ${unit})`] : [],
  };
};

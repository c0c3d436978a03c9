/**
 * The postinst part that warns, on stderr, about ifupdown stanzas for the
 * package's interfaces in files other than its own: Debian's installer leaves
 * `allow-hotplug eth0` / `iface eth0 inet dhcp` in /etc/network/interfaces,
 * and ifupdown merges them with mpgen's stanza for eth0. `mpgen check` reports
 * the same stanzas (src/check/foreign-config.ts). Only warns: the admin's
 * files are not the package's to edit. For netplan, mpgen's file sets every
 * key that would let DHCP or RA in; another file's definition of the same
 * interface still adds its addresses, routes and nameservers, so it is
 * warned about too.
 */
import { parse } from 'yaml';
import type { Plan } from '../plan/plan.js';
import { type Lines, shq } from './script-blocks.js';

const ENI_FILE = /^\/etc\/network\/interfaces\.d\/mpgen-[a-z0-9-]+$/;
const IFACE = /^[A-Za-z0-9_.-]{1,15}$/;

/** The package's own interfaces file and the interfaces it declares (from its `iface` lines). */
export function eniOwnership(plan: Plan): { file: string; interfaces: string[] } | undefined {
  const f = plan.files.find((x) => ENI_FILE.test(x.path));
  if (!f) return undefined;
  const interfaces = [...new Set([...f.content.matchAll(/^iface\s+(\S+)/gm)].map((m) => m[1]!))].filter((n) => IFACE.test(n));
  return interfaces.length ? { file: f.path, interfaces } : undefined;
}

function eniWarning(plan: Plan, pkg: string): Lines {
  const own = eniOwnership(plan);
  if (!own) return [];
  return [
    '# Stanzas for our interfaces in other files merge with ours (ifupdown reads them all).',
    `mpgen_ifaces=${shq(` ${own.interfaces.join(' ')} `)}`,
    'mpgen_found=$(',
    '\tfor f in "${DPKG_ROOT:-}/etc/network/interfaces" "${DPKG_ROOT:-}"/etc/network/interfaces.d/*; do',
    '\t\tset -f',
    '\t\t[ -f "$f" ] || continue',
    "\t\t# run-parts names only, as Debian's `source interfaces.d/*` reads: no .dpkg-old, no backups",
    '\t\tcase ${f##*/} in *.*) continue ;; esac',
    `\t\t[ "$f" = "\${DPKG_ROOT:-}"${shq(own.file)} ] && continue`,
    '\t\tn=0',
    '\t\twhile IFS= read -r line || [ -n "$line" ]; do',
    '\t\t\tn=$((n + 1))',
    '\t\t\t# shellcheck disable=SC2086 # word splitting is the point; set -f stops globbing',
    '\t\t\tset -- ${line%%#*}',
    '\t\t\t[ $# -ge 2 ] || continue',
    '\t\t\tcase $1 in',
    '\t\t\t\tiface | mapping) names=$2 ;;',
    '\t\t\t\tauto | allow-*) shift; names=$* ;;',
    '\t\t\t\t*) continue ;;',
    '\t\t\tesac',
    '\t\t\tfor name in $names; do',
    '\t\t\t\tcase $mpgen_ifaces in *" $name "*) printf \'  %s:%s: %s\\n\' "${f#"${DPKG_ROOT:-}"}" "$n" "$line" ;; esac',
    '\t\t\tdone',
    '\t\tdone < "$f"',
    '\tdone',
    '\t:',
    ')',
    'if [ -n "$mpgen_found" ]; then',
    `\techo ${shq(`${pkg}: other ifupdown files configure interfaces of this package; ifupdown merges them with ${own.file}:`)} >&2`,
    '\tprintf \'%s\\n\' "$mpgen_found" >&2',
    `\techo ${shq(`${pkg}: remove or comment out those stanzas (Debian's installer writes one for its NIC in /etc/network/interfaces); mpgen check lists them too.`)} >&2`,
    'fi',
  ];
}

const NETPLAN_FILE = /^\/etc\/netplan\/90-mpgen-[a-z0-9-]+\.yaml$/;

/** The package's own netplan file and the devices it defines. */
export function netplanOwnership(plan: Plan): { file: string; interfaces: string[] } | undefined {
  const f = plan.files.find((x) => NETPLAN_FILE.test(x.path));
  if (!f) return undefined;
  const network = (parse(f.content) as { network?: Record<string, unknown> }).network ?? {};
  const interfaces = Object.values(network)
    .filter((v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v))
    .flatMap((devices) => Object.keys(devices))
    .filter((n) => IFACE.test(n));
  return interfaces.length ? { file: f.path, interfaces: [...new Set(interfaces)] } : undefined;
}

function netplanWarning(plan: Plan, pkg: string): Lines {
  const own = netplanOwnership(plan);
  if (!own) return [];
  const keys = `^[[:space:]]+(${own.interfaces.map((n) => n.replace(/\./g, '\\.')).join('|')}):[[:space:]]*(#.*)?$`;
  return [
    '# Other netplan files defining our interfaces add their addresses, routes and nameservers to ours.',
    'mpgen_found=$(',
    '\tfor f in "${DPKG_ROOT:-}"/lib/netplan/*.yaml "${DPKG_ROOT:-}"/etc/netplan/*.yaml "${DPKG_ROOT:-}"/run/netplan/*.yaml; do',
    '\t\t[ -f "$f" ] || continue',
    `\t\t[ "$f" = "\${DPKG_ROOT:-}"${shq(own.file)} ] && continue`,
    `\t\tgrep -nE ${shq(keys)} "$f" | sed "s|^|  \${f#"\${DPKG_ROOT:-}"}:|" || :`,
    '\tdone',
    ')',
    'if [ -n "$mpgen_found" ]; then',
    `\techo ${shq(`${pkg}: other netplan files define interfaces of this package; netplan merges them with ${own.file}:`)} >&2`,
    '\tprintf \'%s\\n\' "$mpgen_found" >&2',
    `\techo ${shq(`${pkg}: DHCP and RA stay off (set in ${own.file}), but their addresses, routes and nameservers add up with ours; mpgen check lists them too.`)} >&2`,
    'fi',
  ];
}

/** The postinst lines that warn about other configuration of the package's interfaces. */
export function foreignStanzaWarning(plan: Plan, pkg: string): Lines {
  const eni = eniWarning(plan, pkg);
  const netplan = netplanWarning(plan, pkg);
  return [...eni, ...(eni.length && netplan.length ? [''] : []), ...netplan];
}

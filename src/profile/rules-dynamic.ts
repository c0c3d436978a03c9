/**
 * Rules of the dynamic uplinks (docs/profile.md, "Rules across keys"): `address: dhcp` takes the
 * address, prefix and gateway from a DHCPv4 lease on the interface, `address: pppoe` from a PPPoE
 * session over it (IPCP). What the profile would otherwise fix is then refused (gateway, onlink,
 * snat, a teql slave), the `pppoe` section goes with `address: pppoe` only, and its credentials,
 * PPP device and MTU are checked here. An inline password is a warning: it ends up in the package.
 *
 * The credential rules explain every value the schema's patterns refuse (`supersedes: 'schema'`),
 * so that the user reads "contains a space" rather than "is not valid here", and so that a
 * password is never echoed in a message.
 */
import { quote } from '../base/printable.js';
import { PPP_DEVICE_RE, PPPOE_PASSWORD_RE, PPPOE_USERNAME_RE, SECRET_FILE_RE, UPLINK_NAME_RE } from './schema.js';
import { isDynamic, isObj, shown, uplinksOf, type Finding, type KeyPath, type Raw, type Rule } from './rules-support.js';

/** "uplinks[1] (cable)": the index, and the name when it is a valid one. */
const label = (u: Raw, i: number): string => `uplinks[${i}]${typeof u.name === 'string' && UPLINK_NAME_RE.test(u.name) ? ` (${u.name})` : ''}`;
/** Where a dynamic uplink's address and gateway come from. */
const source = (u: Raw): string => (u.address === 'dhcp' ? 'the DHCP lease' : 'the PPPoE session');
/** PPPoE over Ethernet: 1500 less the PPPoE (6) and PPP (2) headers (RFC 2516). */
export const PPPOE_MAX_MTU = 1492;
/** pppd refuses an MTU (MRU) below this (lcp.h MINMRU). */
export const PPP_MIN_MTU = 128;

/** The first character of `v` outside the class `allowed`, quoted for a message. */
const firstOutside = (v: string, allowed: RegExp): string | undefined => {
  const c = [...v].find((ch) => !allowed.test(ch));
  return c === undefined ? undefined : quote(c);
};

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why a username is refused, for every string PPPOE_USERNAME_RE refuses. */
export function usernameProblem(v: string): string | undefined {
  if (PPPOE_USERNAME_RE.test(v)) return undefined;
  if (v === '') return 'the username is empty';
  const what = `the username ${shown(v)}`;
  if (v.includes(' ')) return `${what} contains a space`;
  if (/["']/.test(v)) return `${what} contains a quote`;
  if (v.includes('\\')) return `${what} contains a backslash`;
  if (CONTROL.test(v)) return `${what} contains a tab, a line break or another control character`;
  const bad = firstOutside(v, /[A-Za-z0-9._@+=:/-]/);
  if (bad) return `${what} contains ${bad}`;
  return `${what} is ${v.length} characters long; at most 64`;
}

/** Why a password is refused, for every string PPPOE_PASSWORD_RE refuses; never with the password in it. */
export function passwordProblem(v: string): { message: string; hint: string } | undefined {
  if (PPPOE_PASSWORD_RE.test(v)) return undefined;
  const hint = 'Put the password in a file on the box and give password_file (mpgen never reads it), or use a password of 1 to 128 printable ASCII characters without " and \\';
  if (v === '') return { message: 'the password is empty', hint };
  if (v.startsWith('@')) return { message: 'the password starts with "@": pppd reads a secret that starts with @ as the name of a file holding it', hint: 'Put the password in a file on the box and give password_file, or change the password' };
  if (v.includes('"')) return { message: 'the password contains a double quote ("), which would end its quoted word in the pppd secrets file', hint };
  if (v.includes('\\')) return { message: 'the password contains a backslash, which pppd reads as an escape', hint };
  if (CONTROL.test(v)) return { message: 'the password contains a tab, a line break or another control character', hint };
  if (/[^\x20-\x7e]/.test(v)) return { message: 'the password contains a character outside printable ASCII', hint };
  return { message: `the password is ${v.length} characters long; at most 128`, hint };
}

/** Why a password_file is refused, for every string SECRET_FILE_RE refuses. */
export function passwordFileProblem(v: string): string | undefined {
  if (SECRET_FILE_RE.test(v)) return undefined;
  const what = shown(v);
  if (!v.startsWith('/')) return `${what} is not an absolute path`;
  if (v.split('/').includes('..')) return `${what} has a ".." segment`;
  if (v.endsWith('/')) return `${what} ends in "/", which names a directory`;
  const bad = firstOutside(v, /[A-Za-z0-9._/+-]/);
  if (bad) return `${what} contains ${bad}`;
  return `${what} is ${v.length} characters long; at most 256`;
}

/** gateway and onlink: a dynamic uplink's gateway (and its subnet) come from the link. */
export const dynamicGateway: Rule = (p) => {
  const out: Finding[] = [];
  uplinksOf(p).forEach((u, i) => {
    if (!isDynamic(u)) return;
    if (u.gateway !== undefined)
      out.push({
        path: ['uplinks', i, 'gateway'],
        at: 'key',
        message: `with address: ${String(u.address)} the gateway comes from ${source(u)}`,
        hint: 'Remove gateway: the routes and the probes follow the gateway the link gives',
      });
    if (u.onlink !== undefined)
      out.push({
        path: ['uplinks', i, 'onlink'],
        at: 'key',
        message: `with address: ${String(u.address)} the gateway and its subnet come from ${source(u)}, so there is no gateway to reach onlink`,
        hint: 'Remove onlink',
      });
  });
  return out;
};

/** snat writes the uplink's address into the rule, and a dynamic uplink has none when rendering. */
export const dynamicNat: Rule = (p) => {
  if (p.mode === 'teql') return []; // NAT applies to the bond, whose address is static (dynamicTeql refuses dynamic slaves)
  const out: Finding[] = [];
  uplinksOf(p).forEach((u, i) => {
    if (!isDynamic(u)) return;
    if (u.nat === 'snat')
      out.push({
        path: ['uplinks', i, 'nat'],
        message: `snat writes the uplink's address into the rule, and with address: ${String(u.address)} the address is not known when rendering (it comes from ${source(u)})`,
        hint: 'Use nat: masquerade: it takes the address the link has when each connection starts',
      });
    else if (u.nat === undefined && p.nat === 'snat')
      out.push({
        path: ['nat'],
        message: `the top-level snat applies to ${label(u, i)} too (it has no nat of its own), and its address comes from ${source(u)}: it is not known when rendering`,
        hint: `Set nat: masquerade on ${label(u, i)} (or at the top level)`,
      });
  });
  return out;
};

/** The pppoe section goes with address: pppoe, and address: pppoe needs it. */
export const pppoeSection: Rule = (p) => {
  const out: Finding[] = [];
  uplinksOf(p).forEach((u, i) => {
    if (u.pppoe !== undefined && u.address !== 'pppoe') {
      const has = u.address === undefined ? 'no address is given' : `address is ${u.address === 'dhcp' ? 'dhcp' : shown(u.address)}`;
      out.push({ path: ['uplinks', i, 'pppoe'], at: 'key', message: `pppoe is only used with address: pppoe, and ${has}`, hint: 'Remove the pppoe section, or set address: pppoe' });
    }
    if (u.address === 'pppoe' && u.pppoe === undefined)
      out.push({
        path: ['uplinks', i, 'address'],
        message: "address: pppoe needs a pppoe section with the session's username and password",
        hint: 'Add pppoe: {username: USER, password_file: /etc/mpgen/secrets/NAME}',
      });
    if (u.address === 'pppoe' && typeof u.interface === 'string' && /^ppp\d+$/.test(u.interface))
      out.push({
        path: ['uplinks', i, 'interface'],
        message: `with address: pppoe the interface is the Ethernet that carries the session, and ${shown(u.interface)} is a PPP device`,
        hint: 'Give the Ethernet (such as eth2) as interface, and the PPP device as pppoe.device',
      });
  });
  return out;
};

/** The credentials: a username of the pattern, and exactly one of password and password_file. */
export const pppoeCredentials: Rule = (p) => {
  const out: Finding[] = [];
  uplinksOf(p).forEach((u, i) => {
    if (!isObj(u.pppoe)) return;
    const s = u.pppoe;
    const at = (k: string): KeyPath => ['uplinks', i, 'pppoe', k];
    if (typeof s.username === 'string') {
      const why = usernameProblem(s.username);
      if (why)
        out.push({
          path: at('username'),
          supersedes: 'schema',
          message: why,
          hint: 'A PPPoE username is 1 to 64 of the letters, digits and . _ @ + = : / - (such as user@isp.example): write it without spaces or quotes',
        });
    }
    if (s.password !== undefined && s.password_file !== undefined)
      out.push({ path: at('password'), at: 'key', message: 'password and password_file are both given', hint: 'Keep one of them: password_file keeps the password out of the package' });
    if (s.password === undefined && s.password_file === undefined)
      out.push({
        path: ['uplinks', i, 'pppoe'],
        at: 'key',
        message: 'the PPPoE session needs a password, and neither password_file nor password is given',
        hint: 'Add password_file: /etc/mpgen/secrets/NAME (a file on the box holding the password; mpgen never reads it), or password: "..."',
      });
    if (typeof s.password === 'string') {
      const why = passwordProblem(s.password);
      if (why) out.push({ path: at('password'), supersedes: 'schema', ...why });
    } else if (typeof s.password === 'number' || typeof s.password === 'boolean')
      // the schema's "found the number ..." would echo the password
      out.push({ path: at('password'), supersedes: 'schema', message: `YAML read the password as a ${typeof s.password === 'number' ? 'number' : 'boolean'}, not a string`, hint: 'Quote it, as written: password: "..."' });
    if (typeof s.password_file === 'string') {
      const why = passwordFileProblem(s.password_file);
      if (why)
        out.push({
          path: at('password_file'),
          supersedes: 'schema',
          message: why,
          hint: 'Give the absolute path of the file on the target box, of [A-Za-z0-9._/+-] without .. segments, such as /etc/mpgen/secrets/dsl',
        });
    }
  });
  return out;
};

/** teql slaves carry fixed management addresses: the bond's shared address and gateway are configured on every router. */
/** The keepalive is the program that follows a lease: its rule and its place in the balance. */
export const dynamicNeedsKeepalive: Rule = (p) => {
  const ka = isObj(p.keepalive) ? p.keepalive : undefined;
  if (ka?.enabled !== false) return [];
  const i = uplinksOf(p).findIndex((u) => isDynamic(u));
  if (i < 0) return [];
  const u = uplinksOf(p)[i]!;
  return [
    {
      path: ['keepalive', 'enabled'],
      message: `${label(u, i)} has address: ${String(u.address)}, and the keepalive is what follows ${source(u)}: the rule from the current address, the uplink's place in the balance and its probes`,
      hint: 'Remove enabled: false (the keepalive runs then), or give the uplink a static address',
    },
  ];
};

export const dynamicTeql: Rule = (p) => {
  if (p.mode !== 'teql') return [];
  const out: Finding[] = [];
  uplinksOf(p).forEach((u, i) => {
    if (isDynamic(u))
      out.push({
        path: ['uplinks', i, 'address'],
        message: `teql slaves stay static: the bond's shared address and gateway are fixed, and address: ${String(u.address)} would take them from ${source(u)}`,
        hint: 'Give the slave its static address on the link to its router, or use mode: multipath',
      });
  });
  return out;
};

/**
 * Every PPPoE session has its own PPP device: pppoe.device, else pppN with N the uplink's place
 * among the `address: pppoe` uplinks in list order (ppp0, ppp1, ...). No other uplink, the lan
 * or the bond may have it as interface.
 */
export const pppoeDevices: Rule = (p) => {
  const out: Finding[] = [];
  const ups = uplinksOf(p);
  const interfaces = new Map<string, string>();
  const claim = (name: unknown, who: string) => {
    if (typeof name === 'string' && !interfaces.has(name)) interfaces.set(name, who);
  };
  if (isObj(p.lan)) claim(p.lan.interface, 'the lan');
  if (isObj(p.bond)) claim(p.bond.interface, 'the bond');
  ups.forEach((u, i) => claim(u.interface, label(u, i)));
  const devices = new Map<string, string>();
  let n = 0;
  ups.forEach((u, i) => {
    if (u.address !== 'pppoe') return;
    const place = n++;
    const given = isObj(u.pppoe) ? u.pppoe.device : undefined;
    if (given !== undefined && (typeof given !== 'string' || !PPP_DEVICE_RE.test(given))) return; // the schema says what it is
    const dev = given ?? `ppp${place}`;
    const where: Pick<Finding, 'path' | 'at'> =
      given !== undefined ? { path: ['uplinks', i, 'pppoe', 'device'] } : isObj(u.pppoe) ? { path: ['uplinks', i, 'pppoe'], at: 'key' } : { path: ['uplinks', i, 'address'] };
    const what = given !== undefined ? `device ${dev}` : `the default device ${dev} (this is PPPoE uplink ${place + 1} in list order)`;
    const first = devices.get(dev);
    if (first !== undefined)
      out.push({ ...where, message: `${what} is already the PPP device of ${first}`, hint: 'Give every PPPoE uplink its own device: set pppoe.device (ppp0, ppp1, ...)' });
    else devices.set(dev, label(u, i));
    const owner = interfaces.get(dev);
    // its own interface: pppoeSection says the interface is the Ethernet
    if (owner !== undefined && owner !== label(u, i))
      out.push({ ...where, message: `${what} is the interface of ${owner}`, hint: 'Set pppoe.device to a pppN that no interface of the profile uses' });
  });
  return out;
};

/** The PPP device's MTU: PPPoE carries at most 1492 bytes over Ethernet's 1500, and pppd takes no less than 128. */
export const pppoeMtu: Rule = (p) => {
  const out: Finding[] = [];
  uplinksOf(p).forEach((u, i) => {
    if (u.address !== 'pppoe' || typeof u.mtu !== 'number' || !Number.isInteger(u.mtu)) return;
    if (u.mtu > PPPOE_MAX_MTU)
      out.push({
        path: ['uplinks', i, 'mtu'],
        message: `${u.mtu} is above ${PPPOE_MAX_MTU}: PPPoE adds 8 bytes of headers inside Ethernet's 1500`,
        hint: `Use ${PPPOE_MAX_MTU} or less (or leave mtu out: ${PPPOE_MAX_MTU} is the default with address: pppoe)`,
      });
    else if (u.mtu >= 68 && u.mtu < PPP_MIN_MTU)
      out.push({ path: ['uplinks', i, 'mtu'], message: `${u.mtu} is below ${PPP_MIN_MTU}, the smallest MTU pppd accepts`, hint: `Use ${PPP_MIN_MTU} to ${PPPOE_MAX_MTU}` });
  });
  return out;
};

/** An inline password is written into the rendered tree and the package. */
export const inlinePassword: Rule = (p) => {
  const out: Finding[] = [];
  uplinksOf(p).forEach((u, i) => {
    if (!isObj(u.pppoe) || typeof u.pppoe.password !== 'string' || u.pppoe.password_file !== undefined) return;
    // located at the pppoe key, not the password's line: the warning is printed on every run, and its source line must not show the password
    out.push({
      severity: 'warning',
      path: ['uplinks', i, 'pppoe'],
      at: 'key',
      message: `the package will hold the PPPoE password for ${label(u, i)} (in mode-0600 files); use password_file to keep it out`,
      hint: 'Put the password in a file on the box and give password_file: PATH instead of password',
    });
  });
  return out;
};

/** Key paths of the profile's string fields, for tests that put hostile values in each. */
export type KeyPath = Array<string | number>;

/** Free strings: names, interfaces, addresses and metadata that reach files and scripts. */
export const FREE_STRING_FIELDS: KeyPath[] = [
  ['name'],
  ['description'],
  ['lan', 'interface'],
  ['lan', 'address'],
  ['uplinks', 0, 'name'],
  ['uplinks', 0, 'interface'],
  ['uplinks', 0, 'address'],
  ['uplinks', 0, 'gateway'],
  ['uplinks', 0, 'mac'],
  ['uplinks', 0, 'probe', 0],
  ['routes', 0],
  ['package', 'name'],
  ['package', 'version'],
  ['package', 'maintainer'],
  ['keepalive', 'interval'],
  ['keepalive', 'timeout'],
];

/** Strings with a fixed set of values. */
export const ENUM_STRING_FIELDS: KeyPath[] = [['mode'], ['uplinks', 0, 'nat'], ['keepalive', 'method']];

export const pathString = (p: KeyPath): string => p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('');

/** Key paths of the profile's string fields, for tests that put hostile values in each. */
export type KeyPath = Array<string | number>;

/** A valid profile with every string field set, for tests that replace one field at a time. */
export const PROFILE_WITH_EVERY_STRING = {
  version: 1,
  name: 'shop',
  description: 'two lines',
  mode: 'multipath',
  lan: { interface: 'eth0', address: '198.51.100.1/24' },
  uplinks: [
    { name: 'dsl1', interface: 'eth1', address: '192.0.2.2/29', gateway: '192.0.2.1', mac: '02:00:00:00:00:01', probe: ['203.0.113.10'] },
    { name: 'dsl2', interface: 'eth2', address: '192.0.2.10/29', gateway: '192.0.2.9' },
  ],
  routes: ['default'],
  package: { name: 'mpgen-shop', version: '1.0.0', maintainer: 'Net Admin <admin@example.net>' },
  keepalive: { interval: '0.5s', timeout: '1s', method: 'ping' },
};

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

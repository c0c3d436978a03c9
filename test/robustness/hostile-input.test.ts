/**
 * Hostile input, one test per case, each with the message the user sees.
 * Complements test/profile/bad-profiles.cases.ts (which already has shell
 * metacharacters, newlines, yes/no, 1.10, tabs, duplicate keys, an alias bomb,
 * an empty and a NUL-bearing file) and test/profile/injection.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/profile/diagnostics.js';
import { MAX_PROFILE_BYTES, parseProfile } from '../../src/profile/load.js';
import { mpgen } from '../support/cli.js';
import { ENUM_STRING_FIELDS, FREE_STRING_FIELDS, pathString, PROFILE_WITH_EVERY_STRING as BASE } from '../support/profile-fields.js';


type Path = Array<string | number>;

function yamlWith(path: Path, value: unknown): string {
  const copy = structuredClone(BASE) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
  return stringify(copy, { lineWidth: 0 });
}

/** The first error at `path`, as the user sees it (first line of the diagnostic). */
function seen(text: string, path: string): string {
  const r = parseProfile(text, 'evil.yaml');
  expect(r.profile).toBeUndefined();
  const d = r.diagnostics.find((x) => x.severity === 'error' && x.path === path);
  expect(d, `no error at ${path}; got ${r.diagnostics.map((x) => `${x.path}: ${x.message}`).join(' | ')}`).toBeDefined();
  return formatDiagnostic(d!).split('\n')[0]!;
}

describe('unicode look-alikes are refused where a name or address is expected', () => {
  // [case, path, value, as the message shows it: visible characters as they are, invisible ones escaped]
  const cases: Array<[string, Path, string, string?]> = [
    ['Cyrillic е in an interface', ['uplinks', 0, 'interface'], '\u0435th1'],
    ['full-width digits in an address', ['uplinks', 0, 'address'], '192.0.2.２/29'],
    ['zero-width space after an uplink name', ['uplinks', 1, 'name'], 'dsl2\u200b', 'dsl2\\u200b'],
    ['Greek ο in the profile name', ['name'], 'sh\u03bfp'],
    ['non-breaking space in the LAN interface', ['lan', 'interface'], 'eth\u00a00', 'eth\\xa00'],
    ['Arabic-Indic digit in a gateway', ['uplinks', 0, 'gateway'], '192.0.2.\u0661'],
    ['fullwidth colon in a MAC', ['uplinks', 0, 'mac'], '02\uff1a00:00:00:00:01'],
  ];
  for (const [name, path, value, shown] of cases)
    it(`${name}: "${pathString(path)}" is named and the value shown`, () => {
      const msg = seen(yamlWith(path, value), pathString(path));
      expect(msg).toMatch(new RegExp(`^evil\\.yaml:\\d+:\\d+: ${pathString(path).replace(/[[\].]/g, '\\$&')}: "`));
      expect(msg).toContain('is not valid here');
      expect(msg).toContain(`"${shown ?? value}"`);
    });
});

describe('over-long values in every string field: refused, and the message stays short', () => {
  const FIELDS: Path[] = [...FREE_STRING_FIELDS, ...ENUM_STRING_FIELDS];
  const LONG = `${'a'.repeat(50_000)}$(reboot)`;
  for (const path of FIELDS)
    it(`${pathString(path)}: 50,000 characters`, () => {
      const msg = seen(yamlWith(path, LONG), pathString(path));
      // the value is cut at 60 characters, so the payload at its end never reaches the terminal
      expect(msg).toContain(`"${'a'.repeat(60)}…"`);
      expect(msg).not.toContain('reboot');
      expect(msg.length).toBeLessThan(500);
    });
});

describe('YAML traps', () => {
  it('a deeper alias bomb (billion laughs) is refused without expanding it', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let k = 1; k < 9; k++) levels.push(`${String.fromCharCode(97 + k)}: &${String.fromCharCode(97 + k)} [${Array(9).fill(`*${String.fromCharCode(96 + k)}`).join(',')}]`);
    const r = parseProfile(`${levels.join('\n')}\n`, 'bomb.yaml');
    expect(r.profile).toBeUndefined();
    const text = formatDiagnostic(r.diagnostics[0]!);
    expect(text).toMatch(/^bomb\.yaml:1:1: YAML: .*alias/i);
    expect(text).toContain('Remove the anchors and aliases that expand into many copies');
  });

  it('a self-referencing alias is refused at the key it sits under, not a crash', () => {
    const r = parseProfile('version: 1\nname: x\nmode: multipath\nloop: &l {again: *l}\n', 'loop.yaml');
    expect(r.profile).toBeUndefined();
    expect(r.diagnostics.map((d) => formatDiagnostic(d).split('\n')[0])).toContain('loop.yaml:4:1: loop: unknown key "loop". Known keys here: version, name, description, mode, lan, uplinks, bond, policies, routes, routing, nat, firewall, sysctl, keepalive, package');
  });

  it('a YAML 1.1 merge key (<<) is an unknown key, not a silent merge', () => {
    const text = yamlWith(['uplinks', 1, 'name'], 'dsl2').replace('  - name: dsl2\n', '  - <<: {weight: 5}\n    name: dsl2\n');
    expect(seen(text, 'uplinks[1].<<')).toMatch(/^evil\.yaml:\d+:5: uplinks\[1\]\.<<: unknown key "<<"/);
  });

  it('a duplicate key inside an uplink points at the second one', () => {
    const text = yamlWith(['uplinks', 1, 'name'], 'dsl2').replace('    interface: eth2\n', '    interface: eth2\n    interface: eth3\n');
    const r = parseProfile(text, 'dup.yaml');
    expect(r.profile).toBeUndefined();
    const line = text.split('\n').indexOf('    interface: eth3') + 1;
    expect(formatDiagnostic(r.diagnostics[0]!).split('\n')[0]).toBe(`dup.yaml:${line}:5: YAML: Map keys must be unique. Remove or merge the duplicate key`);
  });

  it('"no" for a boolean (the Norway problem) is refused with the YAML 1.2 explanation', () => {
    expect(seen(yamlWith(['routing'], { prohibit_fallback: 'no' }), 'routing.prohibit_fallback')).toContain('expected true or false, found the string "no". YAML 1.2 reads yes/no/on/off as strings; write true or false');
  });

  it('1.10 as a number for a package version names what YAML read', () => {
    const text = yamlWith(['package', 'version'], '1.0.0').replace('version: 1.0.0', 'version: 1.10');
    expect(seen(text, 'package.version')).toContain('YAML read 1.10 as the number 1.1. Quote it: version: "1.10"');
  });

  it('a tab inside the indentation of a nested key is located on its line', () => {
    const text = yamlWith(['name'], 'shop').replace('  interval: 0.5s', '\tinterval: 0.5s');
    const r = parseProfile(text, 'tab.yaml');
    expect(r.profile).toBeUndefined();
    const line = text.split('\n').findIndex((l) => l.startsWith('\t')) + 1;
    const first = r.diagnostics.map((d) => formatDiagnostic(d).split('\n')[0]!).find((s) => s.startsWith(`tab.yaml:${line}:`));
    expect(first).toMatch(/YAML: .*tab/i);
  });
});

describe('files that are huge, empty or binary, through the CLI (exit 1, no stack trace)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpgen-hostile-'));
  const validate = (name: string, content: string | Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    const r = mpgen(['validate', '-p', p]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
    expect(r.stderr).not.toContain('internal error');
    return { p, stderr: r.stderr };
  };

  it('a file over 1 MiB is refused before it is read', () => {
    const { p, stderr } = validate('huge.yaml', `version: 1\n# ${'x'.repeat(MAX_PROFILE_BYTES)}\n`);
    expect(stderr).toContain(`${p}:1:1: the file is ${MAX_PROFILE_BYTES + 14} bytes; a profile is at most ${MAX_PROFILE_BYTES} bytes. Is this the right file?`);
  });

  it('a text over 1 MiB given to the parser directly is refused too', () => {
    const r = parseProfile(`name: x\n${'#'.repeat(MAX_PROFILE_BYTES)}`, 'big.yaml');
    expect(r.profile).toBeUndefined();
    expect(formatDiagnostic(r.diagnostics[0]!).split('\n')[0]).toMatch(/^big\.yaml:1:1: the file is \d+ bytes; a profile is at most 1048576 bytes/);
  });

  it('a zero-byte file', () => {
    const { p, stderr } = validate('empty.yaml', '');
    expect(stderr).toContain(`${p}:1:1: the file is empty. Run \`mpgen init -o FILE\` for an example profile`);
  });

  it('a file of comments only', () => {
    const { p, stderr } = validate('comments.yaml', '# TODO: write the profile\n');
    expect(stderr).toContain(`${p}:1:1: the profile must be a mapping of keys (version, name, mode, uplinks, ...), found null`);
  });

  it('random bytes (invalid UTF-8)', () => {
    const { p, stderr } = validate('random.yaml', Buffer.from([0xde, 0xad, 0xbe, 0xef, 0xff, 0xfe, 0x80, 0x81, 0x0a]));
    expect(stderr).toContain(`${p}:1:1: this is not a text file (it contains NUL or invalid UTF-8 bytes). Give the path of a YAML profile`);
  });

  it('a gzip archive given as the profile', () => {
    const { gzipSync } = require('node:zlib') as typeof import('node:zlib');
    const { p, stderr } = validate('profile.yaml.gz', gzipSync(Buffer.from('version: 1\n')));
    expect(stderr).toContain(`${p}:1:1: this is not a text file`);
  });

  it('UTF-16 text (NUL bytes between the characters)', () => {
    const { p, stderr } = validate('utf16.yaml', Buffer.from('\ufeffversion: 1\n', 'utf16le'));
    expect(stderr).toContain(`${p}:1:1: this is not a text file`);
  });

  it('a directory given as the profile', () => {
    const r = mpgen(['validate', '-p', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}:1:1: is a directory. Give the path of a YAML profile`);
  });

  // mpgen() has a 60 s timeout, so a regression (reading the device forever) fails instead of hanging.
  it('a device (/dev/zero) is refused without reading it', () => {
    const r = mpgen(['validate', '-p', '/dev/zero']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/dev/zero:1:1: is not a regular file (a device, FIFO or socket). Give the path of a YAML profile');
  });

  it('a FIFO is refused without opening it (opening would block until a writer comes)', () => {
    const fifo = join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const r = mpgen(['validate', '-p', fifo]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${fifo}:1:1: is not a regular file`);
  });
});

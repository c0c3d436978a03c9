import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCpio } from '../../src/pack/cpio.js';
import { gunzip } from '../../src/pack/gzip.js';
import { readHeader, REGION, TYPE, writeHeader, type HeaderEntries } from '../../src/pack/rpm-header.js';
import { buildRpm, TAG } from '../../src/pack/rpm.js';
import { rpmlintrc } from '../../src/pack/rpmlint.js';
import { sha256Hex } from '../../src/pack/tree.js';
import { missing } from '../support/require.js';
import { fixtureMeta, fixturePlan } from './fixture.js';
import { run, runAll, tempDir } from './roots.js';

const rpm = buildRpm(fixturePlan(), fixtureMeta(), { env: {} });

function parse(bytes: Buffer) {
  const sig = readHeader(bytes, 96);
  const mainAt = 96 + sig.length + ((8 - (sig.length % 8)) % 8);
  const main = readHeader(bytes, mainAt);
  const payload = bytes.subarray(mainAt + main.length);
  return { sig, main, mainBytes: bytes.subarray(mainAt, mainAt + main.length), payload };
}
const get = (h: HeaderEntries, tag: number): unknown => h.get(tag)?.value;

describe('rpm header round trip', () => {
  it('reads back every type the writer writes, with alignment', () => {
    const h: HeaderEntries = new Map([
      [1000, { type: TYPE.STRING, value: 'name' }],
      [1004, { type: TYPE.I18NSTRING, value: ['Summary'] }],
      [1028, { type: TYPE.INT32, value: [1, 0xffffffff] }],
      [1030, { type: TYPE.INT16, value: [0o100644, 0o40755, 7] }],
      [1117, { type: TYPE.STRING_ARRAY, value: ['a', '', 'c'] }],
      [5090, { type: TYPE.BIN, value: Buffer.from([1, 2, 3]) }],
    ]);
    const bytes = writeHeader(h, REGION.immutable);
    const back = readHeader(bytes);
    expect(back.regionTag).toBe(63);
    expect(back.length).toBe(bytes.length);
    expect(back.entries).toEqual(h);
  });

  it('lays out the package: lead, signature with sizes and digest, main header, payload', () => {
    const { sig, main, mainBytes, payload } = parse(rpm.bytes);
    expect([...rpm.bytes.subarray(0, 6)]).toEqual([0xed, 0xab, 0xee, 0xdb, 3, 0]);
    expect(sig.regionTag).toBe(62);
    expect(get(sig.entries, TAG.SIG_SHA256)).toBe(sha256Hex(mainBytes));
    expect(get(sig.entries, TAG.SIG_SIZE)).toEqual([mainBytes.length + payload.length]);
    const cpio = gunzip(payload);
    expect(get(sig.entries, TAG.SIG_PAYLOADSIZE)).toEqual([cpio.length]);
    expect(get(main.entries, TAG.PAYLOADDIGEST)).toEqual([sha256Hex(payload)]);
    // payload order = header order
    const dirs = get(main.entries, TAG.DIRNAMES) as string[];
    const idx = get(main.entries, TAG.DIRINDEXES) as number[];
    const base = get(main.entries, TAG.BASENAMES) as string[];
    const paths = base.map((b, i) => `.${dirs[idx[i]!]}${b}`);
    expect(readCpio(cpio).map((e) => e.name)).toEqual(paths);
    expect(paths).toContain('./usr/libexec/mpgen');
    const modes = get(main.entries, TAG.FILEMODES) as number[];
    expect(paths.filter((_, i) => (modes[i]! & 0o170000) === 0o40000)).toEqual(['./usr/libexec/mpgen']);
    // %config(noreplace) exactly for /etc
    const flags = get(main.entries, TAG.FILEFLAGS) as number[];
    paths.forEach((p, i) => expect(flags[i], p).toBe(p.startsWith('./etc/') ? 17 : 0));
  });
});

const why = missing({ commands: ['rpm', 'rpm2cpio', 'cpio', 'rpmlint'] });
describe.skipIf(why)('rpm with the real tools', () => {
  const dir = tempDir('rpm');
  const path = join(dir, rpm.fileName);
  writeFileSync(path, rpm.bytes);

  it('is named name-version-release.noarch.rpm; rpm -qpi shows the metadata', () => {
    expect(rpm.fileName).toBe('mpgen-office-1.0.0-1.noarch.rpm');
    const qi = run('rpm', ['-qpi', path]);
    for (const re of [/^Name\s+: mpgen-office$/m, /^Version\s+: 1\.0\.0$/m, /^Release\s+: 1$/m, /^Architecture: noarch$/m, /^Build Host\s+: mpgen\.localdomain$/m, /^License\s+: MIT$/m]) {
      expect(qi).toMatch(re);
    }
  });

  it('rpm -qplv lists files with modes; -qpc lists the /etc files as config', () => {
    const l = run('rpm', ['-qplv', path]);
    expect(l).toMatch(/^-rw-------\s+1 root\s+root\s+\d+ .* \/etc\/netplan\/90-mpgen-office\.yaml$/m);
    expect(l).toMatch(/^-rwxr-xr-x\s+1 root\s+root\s+\d+ .* \/usr\/sbin\/ifup-local$/m);
    expect(l).toMatch(/^drwxr-xr-x\s+2 root\s+root\s+0 .* \/usr\/libexec\/mpgen$/m);
    expect(l).not.toMatch(/ \/usr\/lib\/systemd\/system$/m);
    expect(run('rpm', ['-qpc', path]).trim().split('\n')).toEqual(['/etc/netplan/90-mpgen-office.yaml', '/etc/sysctl.d/90-mpgen-office.conf']);
    expect(run('rpm', ['-qp', '--requires', path])).toMatch(/^iproute\n/m);
  });

  it('rpm --scripts shows the scriptlets with their $1 tests', () => {
    const s = run('rpm', ['-qp', '--scripts', path]);
    expect(s).toMatch(/postinstall scriptlet \(using \/bin\/sh\):\n# %post/);
    expect(s).toContain('if [ "$1" -eq 1 ] && command -v systemctl');
    expect(s).toMatch(/preuninstall scriptlet[^]*if \[ "\$1" -eq 0 \]/);
    expect(s).toMatch(/postuninstall scriptlet[^]*if \[ "\$1" -ge 1 \]/);
    expect(s).not.toContain('sysctl --system');
  });

  it('rpm -K verifies the digests', () => {
    expect(run('rpm', ['-K', path]).trim()).toBe(`${path}: digests OK`);
  });

  it('rpm2cpio | cpio extracts the payload with modes', () => {
    const out = join(dir, 'x');
    run('sh', ['-c', `mkdir -p "${out}" && cd "${out}" && rpm2cpio "${path}" | cpio -idm --quiet`]);
    expect(run('stat', ['-c', '%a %n', `${out}/etc/netplan/90-mpgen-office.yaml`, `${out}/usr/libexec/mpgen/office-keepalive`])).toBe(
      `600 ${out}/etc/netplan/90-mpgen-office.yaml\n755 ${out}/usr/libexec/mpgen/office-keepalive\n`,
    );
    expect(run('rpm2cpio', [path]).length).toBeGreaterThan(0);
  });

  it('rpmlint: only the documented findings, and none with the generated rpmlintrc', () => {
    const bare = runAll('rpmlint', [path]).out;
    const found = (level: string) => bare.split('\n').filter((l) => l.includes(` ${level}: `)).map((l) => l.split(' ')[2]).sort();
    expect(found('E')).toEqual(['no-signature', 'non-readable']);
    expect(found('W')).toEqual(['invalid-license', 'no-documentation', 'no-manual-page-for-binary', 'only-non-binary-in-usr-lib']);
    const rc = join(dir, 'mpgen-office.rpmlintrc');
    writeFileSync(rc, rpmlintrc(fixturePlan(), 'mpgen-office'));
    const filtered = runAll('rpmlint', ['-r', rc, path]);
    expect(filtered.out).toMatch(/0 errors, 0 warnings/);
    expect(filtered.status).toBe(0);
    // every filter is documented in the reference file
    const docs = readFileSync(join(import.meta.dirname, '../../docs/mpgen.rpmlintrc'), 'utf8');
    for (const tag of ['non-readable', 'no-signature', 'only-non-binary-in-usr-lib', 'no-documentation', 'no-manual-page-for-binary', 'invalid-license']) expect(docs).toContain(tag);
  });
});

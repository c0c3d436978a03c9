import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAr, writeAr } from '../../src/pack/ar.js';
import { readCpio, writeCpio } from '../../src/pack/cpio.js';
import { gunzip, gzipDeterministic } from '../../src/pack/gzip.js';
import { readTar, splitName, writeTar, type TarEntry } from '../../src/pack/tar.js';

const segment = fc.stringMatching(/^[a-z0-9_.-]{1,40}$/).filter((s) => s !== '.' && s !== '..');
const bytes = fc.uint8Array({ maxLength: 1500 });

describe('gzip', () => {
  it('writes mtime 0, no name, XFL 2 and OS 3, and round-trips', () => {
    const data = Buffer.from('hello mpgen\n'.repeat(50));
    const gz = gzipDeterministic(data);
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
    expect(gunzip(gz).equals(data)).toBe(true);
  });
});

describe('tar', () => {
  it('round-trips files, directories and long names through prefix', () => {
    const long = `./usr/share/${'d'.repeat(90)}/${'f'.repeat(90)}`;
    const entries: TarEntry[] = [
      { name: './', type: 'dir', mode: 0o755, mtime: 1_700_000_000 },
      { name: './etc/', type: 'dir', mode: 0o755, mtime: 1_700_000_000 },
      { name: './etc/secret', type: 'file', mode: 0o600, mtime: 1_700_000_000, content: Buffer.from('x'.repeat(513)) },
      { name: './empty', type: 'file', mode: 0o644, mtime: 1_700_000_000, content: Buffer.alloc(0) },
      { name: long, type: 'file', mode: 0o755, mtime: 1_700_000_000, content: Buffer.from('#!/bin/sh\n') },
    ];
    const tar = writeTar(entries);
    expect(tar.length % 512).toBe(0);
    expect(tar.subarray(tar.length - 1024).every((b) => b === 0)).toBe(true);
    expect(splitName(long).prefix.length).toBeGreaterThan(0);
    const back = readTar(tar);
    expect(back.map((e) => [e.name, e.type, e.mode, e.mtime, e.uid, e.gid, e.uname, e.gname])).toEqual(
      entries.map((e) => [e.name, e.type, e.mode, e.mtime, 0, 0, 'root', 'root']),
    );
    back.forEach((e, i) => expect(Buffer.from(e.content ?? []).equals(Buffer.from(entries[i]!.content ?? []))).toBe(true));
  });

  it('rejects a corrupted header checksum', () => {
    const tar = writeTar([{ name: './a', type: 'file', mode: 0o644, mtime: 1_700_000_000, content: Buffer.from('a') }]);
    tar[0] = 'b'.charCodeAt(0);
    expect(() => readTar(tar)).toThrow(/checksum/);
  });

  it('round-trips arbitrary files (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), bytes, fc.constantFrom(0o644, 0o600, 0o755)), { maxLength: 8 }), (files) => {
        const entries: TarEntry[] = files.map(([segs, content, mode]) => ({ name: `./${segs.join('/')}`, type: 'file', mode, mtime: 189_302_400, content }));
        const back = readTar(writeTar(entries));
        expect(back.map((e) => [e.name, e.mode, Buffer.from(e.content!).toString('hex')])).toEqual(
          entries.map((e) => [e.name, e.mode, Buffer.from(e.content!).toString('hex')]),
        );
      }),
    );
  });
});

describe('ar', () => {
  it('round-trips members with odd sizes, padding with a newline', () => {
    const members = [
      { name: 'debian-binary', content: Buffer.from('2.0\n'), mtime: 1_700_000_000 },
      { name: 'control.tar.gz', content: Buffer.from('abc'), mtime: 1_700_000_000 },
      { name: 'data.tar.gz', content: Buffer.alloc(0), mtime: 1_700_000_000 },
    ];
    const ar = writeAr(members);
    expect(ar.subarray(0, 8).toString()).toBe('!<arch>\n');
    expect(ar.subarray(8, 68).toString()).toBe('debian-binary   1700000000  0     0     100644  4         `\n');
    const back = readAr(ar);
    expect(back.map((m) => [m.name, m.mtime, m.mode, Buffer.from(m.content).toString()])).toEqual(
      members.map((m) => [m.name, m.mtime, 0o100644, m.content.toString()]),
    );
  });

  it('round-trips arbitrary bodies (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z.]{0,14}$/), bytes), { maxLength: 5 }), (ms) => {
        const back = readAr(writeAr(ms.map(([name, content]) => ({ name, content, mtime: 189_302_400 }))));
        expect(back.map((m) => [m.name, Buffer.from(m.content).toString('hex')])).toEqual(ms.map(([n, c]) => [n, Buffer.from(c).toString('hex')]));
      }),
    );
  });
});

describe('cpio newc', () => {
  it('round-trips entries and ends with TRAILER!!!', () => {
    const entries = [
      { name: './usr/libexec/mpgen', mode: 0o40755, mtime: 1_700_000_000, ino: 1, nlink: 2 },
      { name: './usr/libexec/mpgen/keepalive', mode: 0o100755, mtime: 1_700_000_000, ino: 2, nlink: 1, content: Buffer.from('#!/bin/sh\nexit 0\n') },
    ];
    const cpio = writeCpio(entries);
    expect(cpio.subarray(0, 6).toString()).toBe('070701');
    expect(cpio.includes(Buffer.from('TRAILER!!!\0'))).toBe(true);
    expect(cpio.length % 4).toBe(0);
    const back = readCpio(cpio);
    expect(back.map((e) => [e.name, e.mode, e.mtime, e.ino, e.nlink, e.uid, e.gid, e.content?.toString()])).toEqual(
      entries.map((e) => [e.name, e.mode, e.mtime, e.ino, e.nlink, 0, 0, e.content?.toString()]),
    );
  });

  it('round-trips arbitrary files (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), bytes), { maxLength: 8 }), (files) => {
        const entries = files.map(([segs, content], i) => ({ name: `./${segs.join('/')}`, mode: 0o100644, mtime: 189_302_400, ino: i + 1, content }));
        const back = readCpio(writeCpio(entries));
        expect(back.map((e) => [e.name, e.ino, Buffer.from(e.content ?? []).toString('hex')])).toEqual(
          entries.map((e) => [e.name, e.ino, Buffer.from(e.content).toString('hex')]),
        );
      }),
    );
  });
});

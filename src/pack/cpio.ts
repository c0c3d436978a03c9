/**
 * cpio "newc" (SVR4 without CRC) writer and reader, the rpm payload format:
 * "070701", 13 eight-digit hex fields, the name with its NUL padded to 4
 * bytes, the data padded to 4 bytes, and a TRAILER!!! entry at the end.
 */

export interface CpioEntry {
  /** "./usr/libexec/mpgen/keepalive" */
  name: string;
  /** full st_mode including the type bits (0o100644, 0o40755, 0o120777) */
  mode: number;
  mtime: number;
  ino: number;
  nlink?: number;
  content?: Uint8Array;
  uid?: number;
  gid?: number;
  devmajor?: number;
  devminor?: number;
}

const MAGIC = '070701';
const TRAILER = 'TRAILER!!!';

const hex8 = (n: number): string => {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new Error(`cpio: field ${n} out of range`);
  return n.toString(16).padStart(8, '0');
};

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function entryBytes(e: CpioEntry, parts: Buffer[]): void {
  const name = Buffer.from(`${e.name}\0`, 'utf8');
  const size = e.content?.length ?? 0;
  const head =
    MAGIC +
    [e.ino, e.mode, e.uid ?? 0, e.gid ?? 0, e.nlink ?? 1, e.mtime, size, e.devmajor ?? 0, e.devminor ?? 0, 0, 0, name.length, 0]
      .map(hex8)
      .join('');
  parts.push(Buffer.from(head, 'ascii'), name, Buffer.alloc(pad4(110 + name.length)));
  if (size > 0) parts.push(Buffer.from(e.content!), Buffer.alloc(pad4(size)));
}

export function writeCpio(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) entryBytes(e, parts);
  entryBytes({ name: TRAILER, mode: 0, mtime: 0, ino: 0, nlink: 1 }, parts);
  return Buffer.concat(parts);
}

export function readCpio(data: Uint8Array): CpioEntry[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: CpioEntry[] = [];
  let off = 0;
  for (;;) {
    if (buf.subarray(off, off + 6).toString('ascii') !== MAGIC) throw new Error(`cpio: bad magic at offset ${off}`);
    const start = off;
    const f = (i: number): number => parseInt(buf.subarray(start + 6 + i * 8, start + 14 + i * 8).toString('ascii'), 16);
    const namesize = f(11);
    const size = f(6);
    const name = buf.subarray(off + 110, off + 110 + namesize - 1).toString('utf8');
    off += 110 + namesize;
    off += pad4(off);
    if (name === TRAILER) return out;
    const e: CpioEntry = { name, ino: f(0), mode: f(1), uid: f(2), gid: f(3), nlink: f(4), mtime: f(5), devmajor: f(7), devminor: f(8) };
    if (size > 0) e.content = Buffer.from(buf.subarray(off, off + size));
    off += size + pad4(size);
    out.push(e);
  }
}

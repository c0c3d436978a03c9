/**
 * ustar writer and reader (POSIX.1-1988): 512-byte headers, checksum taken
 * with the checksum field as spaces, `prefix` for names longer than 100
 * bytes, two zero blocks at the end. Owner root:root, uid/gid 0.
 */

export type EntryType = 'file' | 'dir' | 'symlink';

export interface TarEntry {
  /** archive path, e.g. "./etc/" (directories end in "/") or "./etc/foo" */
  name: string;
  type: EntryType;
  /** permission bits only, e.g. 0o644 */
  mode: number;
  mtime: number;
  content?: Uint8Array;
  linkname?: string;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
}

const BLOCK = 512;
const TYPEFLAG: Record<EntryType, string> = { file: '0', dir: '5', symlink: '2' };

function writeString(buf: Buffer, offset: number, length: number, value: string, what: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar: ${what} "${value}" is longer than ${length} bytes`);
  bytes.copy(buf, offset);
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number, what: string): void {
  // length-1 octal digits, then NUL
  const digits = value.toString(8).padStart(length - 1, '0');
  if (digits.length > length - 1) throw new Error(`tar: ${what} ${value} does not fit in ${length} bytes`);
  buf.write(`${digits}\0`, offset, 'ascii');
}

/** Split a long path into (prefix, name) at a "/" so prefix <= 155 and name <= 100 bytes. */
export function splitName(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  const trailing = path.endsWith('/') ? 1 : 0;
  for (let i = path.length - 1 - trailing; i > 0; i--) {
    if (path[i] !== '/') continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return { prefix, name };
  }
  throw new Error(`tar: path too long for ustar: ${path}`);
}

function header(e: TarEntry): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { prefix, name } = splitName(e.name);
  const size = e.type === 'file' ? (e.content?.length ?? 0) : 0;
  writeString(h, 0, 100, name, 'name');
  writeOctal(h, 100, 8, e.mode & 0o7777, 'mode');
  writeOctal(h, 108, 8, e.uid ?? 0, 'uid');
  writeOctal(h, 116, 8, e.gid ?? 0, 'gid');
  writeOctal(h, 124, 12, size, 'size');
  writeOctal(h, 136, 12, e.mtime, 'mtime');
  h.fill(0x20, 148, 156);
  h.write(TYPEFLAG[e.type], 156, 'ascii');
  if (e.linkname) writeString(h, 157, 100, e.linkname, 'linkname');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  writeString(h, 265, 32, e.uname ?? 'root', 'uname');
  writeString(h, 297, 32, e.gname ?? 'root', 'gname');
  writeOctal(h, 329, 8, 0, 'devmajor');
  writeOctal(h, 337, 8, 0, 'devminor');
  writeString(h, 345, 155, prefix, 'prefix');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** Write the entries in the order given (callers sort). */
export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e));
    if (e.type === 'file' && e.content && e.content.length > 0) {
      parts.push(Buffer.from(e.content));
      const pad = (BLOCK - (e.content.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function readString(buf: Buffer, offset: number, length: number): string {
  const slice = buf.subarray(offset, offset + length);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul === -1 ? length : nul).toString('utf8');
}

function readOctal(buf: Buffer, offset: number, length: number): number {
  const s = readString(buf, offset, length).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

export function readTar(data: Uint8Array): TarEntry[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: TarEntry[] = [];
  let off = 0;
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    const stored = readOctal(h, 148, 8);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (sum !== stored) throw new Error(`tar: bad header checksum at offset ${off}`);
    const flag = String.fromCharCode(h[156]!);
    const type: EntryType = flag === '5' ? 'dir' : flag === '2' ? 'symlink' : flag === '0' || flag === '\0' ? 'file' : (() => {
      throw new Error(`tar: unsupported type flag ${JSON.stringify(flag)}`);
    })();
    const prefix = readString(h, 345, 155);
    const name = readString(h, 0, 100);
    const size = readOctal(h, 124, 12);
    const entry: TarEntry = {
      name: prefix ? `${prefix}/${name}` : name,
      type,
      mode: readOctal(h, 100, 8),
      uid: readOctal(h, 108, 8),
      gid: readOctal(h, 116, 8),
      mtime: readOctal(h, 136, 12),
      uname: readString(h, 265, 32),
      gname: readString(h, 297, 32),
    };
    const link = readString(h, 157, 100);
    if (link) entry.linkname = link;
    off += BLOCK;
    if (type === 'file') {
      entry.content = Buffer.from(buf.subarray(off, off + size));
      off += Math.ceil(size / BLOCK) * BLOCK;
    }
    out.push(entry);
  }
  return out;
}

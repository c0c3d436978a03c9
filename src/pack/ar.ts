/**
 * The common ar format as dpkg-deb writes it: "!<arch>\n", 60-byte member
 * headers with decimal fields, bodies padded to an even length with "\n".
 */

export interface ArMember {
  name: string;
  content: Uint8Array;
  mtime: number;
  /** octal mode, 0o100644 as dpkg writes */
  mode?: number;
}

const MAGIC = '!<arch>\n';

function field(value: string, width: number, what: string): string {
  if (value.length > width) throw new Error(`ar: ${what} "${value}" is longer than ${width} bytes`);
  return value.padEnd(width, ' ');
}

export function writeAr(members: ArMember[]): Buffer {
  const parts: Buffer[] = [Buffer.from(MAGIC, 'ascii')];
  for (const m of members) {
    if (!/^[\x21-\x7e]+$/.test(m.name) || m.name.includes('/')) throw new Error(`ar: invalid member name "${m.name}"`);
    const head =
      field(m.name, 16, 'name') +
      field(String(m.mtime), 12, 'mtime') +
      field('0', 6, 'uid') +
      field('0', 6, 'gid') +
      field((m.mode ?? 0o100644).toString(8), 8, 'mode') +
      field(String(m.content.length), 10, 'size') +
      '`\n';
    parts.push(Buffer.from(head, 'ascii'), Buffer.from(m.content));
    if (m.content.length % 2) parts.push(Buffer.from('\n', 'ascii'));
  }
  return Buffer.concat(parts);
}

export function readAr(data: Uint8Array): ArMember[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.subarray(0, 8).toString('ascii') !== MAGIC) throw new Error('ar: bad magic');
  const out: ArMember[] = [];
  let off = 8;
  while (off < buf.length) {
    const h = buf.subarray(off, off + 60).toString('ascii');
    if (h.length < 60 || h.slice(58, 60) !== '`\n') throw new Error(`ar: bad member header at offset ${off}`);
    const size = parseInt(h.slice(48, 58).trim(), 10);
    out.push({
      name: h.slice(0, 16).trimEnd(),
      mtime: parseInt(h.slice(16, 28).trim(), 10),
      mode: parseInt(h.slice(40, 48).trim(), 8),
      content: Buffer.from(buf.subarray(off + 60, off + 60 + size)),
    });
    off += 60 + size + (size % 2);
  }
  return out;
}

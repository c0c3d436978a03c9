/**
 * rpm v4 header structures: writer and reader. A header is
 *   8e ad e8 01 00000000 | il (u32 BE) | dl (u32 BE) | il x {tag, type, offset, count} | data
 * with entry 0 the region tag, pointing at a 16-byte trailer at the end of
 * the data. Data is laid out in tag order (rpm rejects overlapping entries)
 * and INT16/32/64 values are aligned to their size.
 */

export const TYPE = { NULL: 0, CHAR: 1, INT8: 2, INT16: 3, INT32: 4, INT64: 5, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 } as const;
export type TypeCode = (typeof TYPE)[keyof typeof TYPE];

export type HeaderValue =
  | { type: typeof TYPE.INT16 | typeof TYPE.INT32; value: number[] }
  | { type: typeof TYPE.STRING; value: string }
  | { type: typeof TYPE.STRING_ARRAY | typeof TYPE.I18NSTRING; value: string[] }
  | { type: typeof TYPE.BIN; value: Buffer };

export type HeaderEntries = Map<number, HeaderValue>;

export const REGION = { signatures: 62, immutable: 63 } as const;
const MAGIC = Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]);

const ALIGN: Partial<Record<TypeCode, number>> = { [TYPE.INT16]: 2, [TYPE.INT32]: 4, [TYPE.INT64]: 8 };

function encode(v: HeaderValue): { bytes: Buffer; count: number } {
  switch (v.type) {
    case TYPE.INT16: {
      const b = Buffer.alloc(2 * v.value.length);
      v.value.forEach((n, i) => b.writeUInt16BE(n & 0xffff, 2 * i));
      return { bytes: b, count: v.value.length };
    }
    case TYPE.INT32: {
      const b = Buffer.alloc(4 * v.value.length);
      v.value.forEach((n, i) => b.writeUInt32BE(n >>> 0, 4 * i));
      return { bytes: b, count: v.value.length };
    }
    case TYPE.STRING:
      return { bytes: Buffer.from(`${v.value}\0`, 'utf8'), count: 1 };
    case TYPE.STRING_ARRAY:
    case TYPE.I18NSTRING:
      return { bytes: Buffer.concat(v.value.map((s) => Buffer.from(`${s}\0`, 'utf8'))), count: v.value.length };
    case TYPE.BIN:
      return { bytes: v.value, count: v.value.length };
  }
}

/** Serialize a header with its region tag (62 for the signature header, 63 for the main one). */
export function writeHeader(entries: HeaderEntries, regionTag: number): Buffer {
  const tags = [...entries.keys()].sort((a, b) => a - b);
  if (tags.some((t) => t <= REGION.immutable && t >= REGION.signatures)) throw new Error('rpm: region tags are written by writeHeader');
  const il = tags.length + 1;
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let dl = 0;
  for (const tag of tags) {
    const v = entries.get(tag)!;
    const { bytes, count } = encode(v);
    const align = ALIGN[v.type] ?? 1;
    const pad = (align - (dl % align)) % align;
    if (pad) {
      data.push(Buffer.alloc(pad));
      dl += pad;
    }
    const e = Buffer.alloc(16);
    e.writeUInt32BE(tag, 0);
    e.writeUInt32BE(v.type, 4);
    e.writeUInt32BE(dl, 8);
    e.writeUInt32BE(count, 12);
    index.push(e);
    data.push(bytes);
    dl += bytes.length;
  }
  // Region trailer: an index entry whose offset is minus the index size.
  const trailer = Buffer.alloc(16);
  trailer.writeUInt32BE(regionTag, 0);
  trailer.writeUInt32BE(TYPE.BIN, 4);
  trailer.writeInt32BE(-(il * 16), 8);
  trailer.writeUInt32BE(16, 12);
  const region = Buffer.alloc(16);
  region.writeUInt32BE(regionTag, 0);
  region.writeUInt32BE(TYPE.BIN, 4);
  region.writeUInt32BE(dl, 8);
  region.writeUInt32BE(16, 12);
  data.push(trailer);
  dl += 16;
  const head = Buffer.alloc(16);
  MAGIC.copy(head, 0);
  head.writeUInt32BE(il, 8);
  head.writeUInt32BE(dl, 12);
  return Buffer.concat([head, region, ...index, ...data]);
}

export interface ReadHeader {
  regionTag: number;
  entries: HeaderEntries;
  /** bytes consumed */
  length: number;
}

function readStrings(data: Buffer, offset: number, count: number): string[] {
  const out: string[] = [];
  let p = offset;
  for (let i = 0; i < count; i++) {
    const end = data.indexOf(0, p);
    if (end < 0) throw new Error('rpm: unterminated string in header');
    out.push(data.subarray(p, end).toString('utf8'));
    p = end + 1;
  }
  return out;
}

/** Parse the header that starts at `offset`. */
export function readHeader(buf: Buffer, offset = 0): ReadHeader {
  if (!buf.subarray(offset, offset + 8).equals(MAGIC)) throw new Error(`rpm: bad header magic at offset ${offset}`);
  const il = buf.readUInt32BE(offset + 8);
  const dl = buf.readUInt32BE(offset + 12);
  const indexStart = offset + 16;
  const data = buf.subarray(indexStart + il * 16, indexStart + il * 16 + dl);
  const entries: HeaderEntries = new Map();
  let regionTag = 0;
  for (let i = 0; i < il; i++) {
    const e = indexStart + i * 16;
    const tag = buf.readUInt32BE(e);
    const type = buf.readUInt32BE(e + 4) as TypeCode;
    const off = buf.readUInt32BE(e + 8);
    const count = buf.readUInt32BE(e + 12);
    if (i === 0 && (tag === REGION.signatures || tag === REGION.immutable)) {
      regionTag = tag;
      const trailer = data.subarray(off, off + 16);
      if (trailer.readUInt32BE(0) !== tag || trailer.readInt32BE(8) !== -(il * 16)) throw new Error('rpm: bad region trailer');
      continue;
    }
    switch (type) {
      case TYPE.INT16:
        entries.set(tag, { type, value: Array.from({ length: count }, (_, k) => data.readUInt16BE(off + 2 * k)) });
        break;
      case TYPE.INT32:
        entries.set(tag, { type, value: Array.from({ length: count }, (_, k) => data.readUInt32BE(off + 4 * k)) });
        break;
      case TYPE.STRING:
        entries.set(tag, { type, value: readStrings(data, off, 1)[0]! });
        break;
      case TYPE.STRING_ARRAY:
      case TYPE.I18NSTRING:
        entries.set(tag, { type, value: readStrings(data, off, count) });
        break;
      case TYPE.BIN:
        entries.set(tag, { type, value: Buffer.from(data.subarray(off, off + count)) });
        break;
      default:
        throw new Error(`rpm: unsupported header type ${type} for tag ${tag}`);
    }
  }
  return { regionTag, entries, length: 16 + il * 16 + dl };
}

export const int32 = (...value: number[]): HeaderValue => ({ type: TYPE.INT32, value });
export const int16 = (...value: number[]): HeaderValue => ({ type: TYPE.INT16, value });
export const str = (value: string): HeaderValue => ({ type: TYPE.STRING, value });
export const strs = (value: string[]): HeaderValue => ({ type: TYPE.STRING_ARRAY, value });
export const i18n = (value: string): HeaderValue => ({ type: TYPE.I18NSTRING, value: [value] });

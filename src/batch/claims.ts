/**
 * Output names claimed in one batch run, shared by every worker thread without files or locks:
 * two profiles that would write the same output (the same profile name, or the same package
 * file name) must not both write it, and the second must say which file holds the name.
 *
 * An open-addressing hash table in a SharedArrayBuffer. A slot holds 0 (free) or 1 + the index
 * of the claiming file. Each file index also owns a fixed 256-byte region of a second shared
 * buffer, where its claimed name is written, length first, before the slot is published with
 * Atomics.compareExchange; a thread that reads the slot with Atomics.load then reads a complete
 * name. Names are compared whole, so two names never clash because their hashes do.
 * A file claims at most once per run, so only its own thread ever writes its region.
 */
export interface ClaimTable {
  /** Int32 slots, a power of two, at least twice the number of files */
  slots: SharedArrayBuffer;
  /** NAME_REGION bytes per file index: one length byte, then the UTF-8 name */
  names: SharedArrayBuffer;
}

/** A name is a file name (at most 255 bytes on Linux) or a profile name, which is shorter. */
const NAME_REGION = 256;

export function createClaimTable(files: number): ClaimTable {
  let size = 16;
  while (size < files * 2) size *= 2;
  return { slots: new SharedArrayBuffer(size * 4), names: new SharedArrayBuffer(Math.max(1, files) * NAME_REGION) };
}

/** FNV-1a over the UTF-8 bytes */
function hash(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

const encoder = new TextEncoder();

/**
 * Claims `name` for the file at `index`. Returns undefined when the name is now this file's,
 * or the index of the file that claimed it first.
 */
export function claimName(table: ClaimTable, name: string, index: number): number | undefined {
  const bytes = encoder.encode(name);
  if (bytes.length >= NAME_REGION) throw new Error(`batch: output name longer than ${NAME_REGION - 1} bytes: ${name}`);
  const slots = new Int32Array(table.slots);
  const names = new Uint8Array(table.names);
  const region = index * NAME_REGION;
  names[region] = bytes.length;
  names.set(bytes, region + 1);
  const mask = slots.length - 1;
  for (let h = hash(bytes) & mask; ; h = (h + 1) & mask) {
    let v = Atomics.load(slots, h);
    if (v === 0) {
      v = Atomics.compareExchange(slots, h, 0, index + 1);
      if (v === 0) return undefined;
    }
    const other = v - 1;
    if (other === index) return undefined;
    if (sameName(names, other * NAME_REGION, bytes)) return other;
  }
}

function sameName(names: Uint8Array, at: number, bytes: Uint8Array): boolean {
  if (names[at] !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (names[at + 1 + i] !== bytes[i]) return false;
  return true;
}

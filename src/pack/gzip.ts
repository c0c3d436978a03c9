/**
 * Deterministic gzip: level 9, no file name, mtime 0, OS byte pinned to 3
 * (Unix), as `gzip -9n` writes. zlib already omits the name and writes mtime
 * 0; the OS byte is pinned here so a build on another platform gives the same
 * bytes.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

const OS_UNIX = 3;

export function gzipDeterministic(data: Uint8Array): Buffer {
  const out = gzipSync(data, { level: 9 });
  // RFC 1952: ID1 ID2 CM FLG MTIME(4) XFL OS
  if (out[0] !== 0x1f || out[1] !== 0x8b || out[3] !== 0) throw new Error('gzip: unexpected header from zlib');
  out.writeUInt32LE(0, 4);
  out[9] = OS_UNIX;
  return out;
}

export function gunzip(data: Uint8Array): Buffer {
  return gunzipSync(data);
}

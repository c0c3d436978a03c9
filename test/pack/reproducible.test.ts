import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAr } from '../../src/pack/ar.js';
import { buildDeb } from '../../src/pack/deb.js';
import { resolveEpoch } from '../../src/pack/epoch.js';
import { gunzip } from '../../src/pack/gzip.js';
import { readTar } from '../../src/pack/tar.js';
import { fixtureMeta, fixturePlan } from './fixture.js';

const child = join(import.meta.dirname, 'build-child.ts');
const tsx = join(import.meta.dirname, '../../node_modules/.bin/tsx');

function buildIn(env: Record<string, string>): { tz: string; offset: number; bundle: string; deb: string; rpm: string } {
  const { SOURCE_DATE_EPOCH: _drop, ...base } = process.env;
  return JSON.parse(execFileSync(tsx, [child], { env: { ...base, ...env }, encoding: 'utf8' }));
}

describe('byte-identical builds', () => {
  it('bundle, deb and rpm are identical whatever TZ says', () => {
    const a = buildIn({ TZ: 'UTC' });
    const b = buildIn({ TZ: 'Pacific/Kiritimati' });
    const c = buildIn({ TZ: 'America/St_Johns', SOURCE_DATE_EPOCH: '' });
    // the children really ran in different zones
    expect(new Set([a.offset, b.offset, c.offset]).size).toBe(3);
    for (const k of ['bundle', 'deb', 'rpm'] as const) {
      expect(b[k], k).toBe(a[k]);
      expect(c[k], k).toBe(a[k]);
    }
  });

  it('SOURCE_DATE_EPOCH sets every mtime and changes the bytes; the default comes from the profile', () => {
    const withEnv = buildIn({ TZ: 'UTC', SOURCE_DATE_EPOCH: '1600000000' });
    const without = buildIn({ TZ: 'UTC' });
    expect(withEnv.deb).not.toBe(without.deb);
    const deb = buildDeb(fixturePlan(), fixtureMeta(), { env: { SOURCE_DATE_EPOCH: '1600000000' } });
    const members = readAr(deb.bytes);
    expect(members.every((m) => m.mtime === 1_600_000_000)).toBe(true);
    expect(readTar(gunzip(members[2]!.content)).every((e) => e.mtime === 1_600_000_000)).toBe(true);
    expect(Buffer.from(deb.bytes).toString('base64')).toBe(buildIn({ TZ: 'Asia/Kolkata', SOURCE_DATE_EPOCH: '1600000000' }).deb);
  });

  it('rejects epochs before 1976 and non-numeric SOURCE_DATE_EPOCH', () => {
    expect(() => resolveEpoch(0, {}, {})).toThrow(/not a Unix time after 1975/);
    expect(() => resolveEpoch(1_700_000_000, {}, { SOURCE_DATE_EPOCH: '100' })).toThrow(/SOURCE_DATE_EPOCH: 100 is not a Unix time after 1975/);
    expect(() => resolveEpoch(1_700_000_000, {}, { SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/is not a number of seconds/);
    expect(resolveEpoch(1_700_000_000, { epoch: 1_650_000_000 }, {})).toBe(1_650_000_000);
    expect(resolveEpoch(1_700_000_000, {}, {})).toBe(1_700_000_000);
  });
});

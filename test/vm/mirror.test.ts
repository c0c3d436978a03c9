/** The boot lab's mirror comes from apt's own sources only (no boot here: parsing only). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debianMirror, mirrorFromSources } from './base-image.js';

function etcApt(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mpgen-apt-'));
  mkdirSync(join(dir, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('debianMirror', () => {
  it('reads a deb822 stanza for the suite itself, not -security', () => {
    const dir = etcApt({
      'sources.list.d/debian.sources':
        'Types: deb\n# a comment\nURIs: http://security.example/debian-security\nSuites: bookworm-security\nComponents: main\n\nTypes: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n',
    });
    expect(debianMirror(dir)).toBe('http://mirror.example/debian');
  });

  it('skips deb-src, disabled stanzas and files apt does not read', () => {
    const dir = etcApt({
      'sources.list.d/a.sources': 'Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\n\nTypes: deb\nEnabled: no\nURIs: http://off.example/debian\nSuites: bookworm\n',
      'sources.list.d/b.list.disabled': 'deb http://disabled.example/debian bookworm main\n',
      'sources.list.d/c.list': '# deb http://commented.example/debian bookworm main\ndeb [signed-by=/k.gpg arch=amd64] https://list.example/debian bookworm main\n',
    });
    expect(debianMirror(dir)).toBe('https://list.example/debian');
  });

  it('reads one-line sources.list', () => {
    expect(mirrorFromSources([{ path: '/etc/apt/sources.list', text: 'deb http://old.example/debian bookworm-updates main\ndeb http://old.example/debian bookworm main\n' }])).toBe('http://old.example/debian');
  });

  it('fails with a clear message when apt has no source for the suite: no hard-coded fallback', () => {
    const dir = etcApt({ 'sources.list.d/x.sources': 'Types: deb\nURIs: http://mirror.example/debian\nSuites: trixie\n' });
    expect(() => debianMirror(dir)).toThrow(/no Debian bookworm mirror in apt's sources \(.*x\.sources\).*deb http:\/\/deb\.debian\.org\/debian bookworm main/);
    expect(() => debianMirror(etcApt({}))).toThrow(/no sources\.list or sources\.list\.d/);
  });
});

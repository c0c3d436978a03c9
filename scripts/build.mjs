// Bundle the CLI into one ESM file with templates and distro data embedded,
// so a cold start reads no template files and loads nothing it does not use.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

function collect(dir, ext) {
  const out = {};
  const walk = (d) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(ext)) out[relative(dir, p).slice(0, -ext.length)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const result = await build({
  entryPoints: ['src/cli/run.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'dist/mpgen.mjs',
  legalComments: 'none',
  banner: { js: "import { createRequire as __mpgenCreateRequire } from 'node:module'; const require = __mpgenCreateRequire(import.meta.url);" },
  define: {
    __MPGEN_TEMPLATES__: JSON.stringify(collect('templates', '.hbs')),
    __MPGEN_DISTROS__: JSON.stringify(collect('distros', '.yaml')),
  },
  logLevel: 'warning',
  write: false,
});

// Write-then-rename: a CLI started while another build runs never reads a half-written bundle.
mkdirSync('dist', { recursive: true });
for (const f of result.outputFiles) {
  const tmp = `${f.path}.${process.pid}.tmp`;
  writeFileSync(tmp, f.contents);
  renameSync(tmp, f.path);
}

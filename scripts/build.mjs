// Build the CLI into dist/ so that a cold start does as little as possible:
// - one bundle (dist/mpgen-core-HASH.cjs) with templates and distro data
//   embedded: a start reads no template file;
// - templates precompiled here (strict, noEscape: TEMPLATE_OPTIONS of
//   src/base/templates.ts), so only the Handlebars runtime is linked;
// - commands import their parts lazily (src/cli/commands/*.ts): a module runs
//   its top level only when a command needs it;
// - a V8 code cache (dist/mpgen-core-HASH.cache), made by running the bundle
//   once here, so a start does not recompile the functions a render uses;
// - dist/mpgen.cjs, the loader bin/mpgen.cjs requires (dist/mpgen.mjs re-exports it for import()),
//   compiles the bundle with that cache (Node 20 has no compile cache for ES
//   modules; a rejected or missing cache only costs the compile);
// - the batch worker (src/batch/worker.ts) is a second bundle beside it.
// MPGEN_NO_MINIFY=1 keeps the output readable (profiling); MPGEN_NO_CODE_CACHE=1 skips the cache.
import { build } from 'esbuild';
import Handlebars from 'handlebars';
import { parse as parseYaml } from 'yaml';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

function collect(dir, ext) {
  const out = {};
  const walk = (d) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(ext)) out[relative(dir, p).slice(0, -ext.length)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Must match TEMPLATE_OPTIONS in src/base/templates.ts. */
const TEMPLATE_OPTIONS = { strict: true, noEscape: true };

const precompiled = {
  name: 'mpgen-precompiled-templates',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]base[\\/]precompiled-templates\.ts$/ }, () => {
      const entries = Object.entries(collect('templates', '.hbs')).map(([name, src]) => `  ${JSON.stringify(name)}: ${Handlebars.precompile(src, TEMPLATE_OPTIONS)}`);
      return { contents: `export const PRECOMPILED = {\n${entries.join(',\n')}\n};\n`, loader: 'js' };
    });
  },
};

/**
 * node:child_process and node:crypto cost a cold start up to ~20 ms to load (child_process pulls
 * in net, dgram, streams and readline), yet a render never spawns (commander requires
 * child_process at load, for executable subcommands mpgen does not have) and hashes only in
 * some backends and packers. In the bundle they become modules whose functions load the real
 * builtin on first call: the same functions, the same results, just later.
 */
const LAZY_BUILTINS = { child_process: ['execFileSync', 'spawn', 'spawnSync', 'execFile', 'exec', 'execSync', 'fork'], crypto: ['createHash'] };
const lazyBuiltins = {
  name: 'mpgen-lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?(child_process|crypto)$/ }, (a) => (a.namespace === 'lazy-builtin' ? undefined : { path: a.path.replace(/^node:/, ''), namespace: 'lazy-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (a) => ({
      loader: 'js',
      contents: `let m;\nconst load = () => (m ??= require('node:${a.path}'));\n${LAZY_BUILTINS[a.path].map((f) => `export function ${f}(...args) { return load().${f}(...args); }`).join('\n')}\n`,
    }));
  },
};

const bundle = (entry) =>
  build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: process.env.MPGEN_NO_MINIFY !== '1',
    keepNames: false,
    legalComments: 'none',
    alias: { handlebars: 'handlebars/runtime' },
    plugins: [precompiled, lazyBuiltins],
    banner: { js: 'var __mpgen_url = require("node:url").pathToFileURL(__filename).href;' },
    define: {
      __MPGEN_BUNDLED__: 'true',
      // parsed here, so a start parses no YAML but the profile's
      __MPGEN_DISTROS__: JSON.stringify(Object.fromEntries(Object.entries(collect('distros', '.yaml')).map(([k, v]) => [k, parseYaml(v)]))),
      'import.meta.url': '__mpgen_url',
      __MPGEN_KEEPALIVE__: JSON.stringify(keepaliveBody),
    },
    logLevel: 'warning',
    write: false,
  }).then((r) => r.outputFiles[0].contents);

// The keepalive daemon: src/keepalive/sh/*.sh assembled here by src/keepalive/assemble.ts (the code
// the tests run from src), so the bundle carries the one script that ships; a bad part fails the build.
const keepaliveBody = await (async () => {
  const r = await build({ entryPoints: ['src/keepalive/assemble.ts'], bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'warning' });
  const { assembleKeepalive } = await import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0].contents).toString('base64')}`);
  return assembleKeepalive(collect('src/keepalive/sh', '.sh'));
})();

const [core, worker] = await Promise.all([bundle('src/cli/run.ts'), bundle('src/batch/worker.ts')]);
const hash = createHash('sha256').update(core).digest('hex').slice(0, 12);
const coreName = `mpgen-core-${hash}.cjs`;
const cacheName = `mpgen-core-${hash}.cache`;

// The loader is CommonJS: bin/mpgen.cjs requires it, and a CommonJS start never sets up Node's
// ES module loader (about 5 ms of a cold render here). dist/mpgen.mjs re-exports it for import().
const loader = `// Generated by scripts/build.mjs: loads ${coreName} with its V8 code cache.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const file = join(__dirname, '${coreName}');
let cachedData;
try {
  cachedData = readFileSync(join(__dirname, '${cacheName}'));
} catch {}
const script = new Script('(function (exports, require, module, __filename, __dirname) {' + readFileSync(file, 'utf8') + '\\n})', { filename: file, cachedData });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, require, mod, file, __dirname);
exports.run = mod.exports.run;
/** For scripts/build.mjs: the code cache after a warm-up run. */
exports.codeCache = () => script.createCachedData();
exports.codeCacheRejected = () => script.cachedDataRejected === true;
`;
const esmLoader = `// Generated by scripts/build.mjs: the CommonJS loader (mpgen.cjs), for import().
import { createRequire } from 'node:module';

const loader = createRequire(import.meta.url)('./mpgen.cjs');
export const run = loader.run;
export const codeCache = loader.codeCache;
export const codeCacheRejected = loader.codeCacheRejected;
`;

// Write-then-rename, the loader last: a CLI started while another build runs
// never reads a half-written file, or a loader whose bundle is missing.
mkdirSync('dist', { recursive: true });
const put = (name, data) => {
  const tmp = join('dist', `.${name}.${process.pid}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, join('dist', name));
};
put(coreName, core);
put('mpgen-batch-worker.cjs', worker);

if (process.env.MPGEN_NO_CODE_CACHE !== '1' && !existsSync(join('dist', cacheName))) {
  // Warm up in a child: render every distro and package once, then save what V8 compiled.
  const probe = join('dist', `.loader.${process.pid}.cjs`);
  writeFileSync(probe, loader);
  const tmp = join('dist', `.warm.${process.pid}`);
  const script = `
    const l = (await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(resolve(probe))});
    const out = ${JSON.stringify(resolve(tmp))};
    const w = process.stdout.write.bind(process.stdout), e = process.stderr.write.bind(process.stderr);
    process.stdout.write = process.stderr.write = () => true;
    for (const d of ['ubuntu', 'debian', 'fedora', 'rhel', 'arch'])
      await l.run(['render', '--distro', d, '-o', out + '/' + d]);
    await l.run(['render', '--distro', 'ubuntu', '-o', out + '/ubuntu']);
    await l.run(['validate']);
    process.stdout.write = w; process.stderr.write = e;
    (await import('node:fs')).writeFileSync(${JSON.stringify(resolve('dist', `.${cacheName}.tmp`))}, l.codeCache());
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit', cwd: resolve('.') });
  rmSync(probe, { force: true });
  rmSync(tmp, { recursive: true, force: true });
  if (r.status === 0) renameSync(join('dist', `.${cacheName}.tmp`), join('dist', cacheName));
  else process.stderr.write('build: the code cache warm-up failed; the CLI works without it, only slower to start\n');
}
put('mpgen.cjs', loader);
put('mpgen.mjs', esmLoader);

// Old bundles may still be loading in a CLI started before this build: remove
// only those untouched for ten minutes, and the layout of earlier builds.
for (const e of readdirSync('dist')) {
  const p = join('dist', e);
  const stale = /^mpgen-core-[0-9a-f]+\.(cjs|cache)$/.test(e) && !e.includes(hash) && Date.now() - statSync(p).mtimeMs > 10 * 60_000;
  if (stale || /^mpgen-chunk-.*\.mjs$|^mpgen-batch-worker\.mjs$/.test(e) || e === 'chunks') rmSync(p, { recursive: true, force: true });
}

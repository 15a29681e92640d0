// Bundles the entry points into dist/: the agent as one CommonJS file (agent-bundle.cjs, what the
// single-executable build embeds) started by a small agent.cjs with a V8 code cache of it, the
// server and demo as ESM with node_modules left external.
import { build } from 'esbuild';
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const define = { __SEATKEEPER_VERSION__: JSON.stringify(pkg.version) };
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning', define };

/** Each agent build names itself at its end; its code cache names the build it was made of. */
const buildIds = { agent: randomUUID(), 'agent-hooks': randomUUID() };
const buildMark = (name) => `// seatkeeper-build ${buildIds[name]}`;

// The shipped agent ignores test hooks (agent/clock.ts); the tests' copy honours them.
const agent = (name, hooks) => ({
  ...common,
  footer: { js: buildMark(name) },
  // First, before anything uses libuv's pool (in the single executable too): the daemon's few file
  // reads need two threads, not four with their stacks and malloc arenas (issue 16); two, so a slow
  // DNS lookup while reconnecting (getaddrinfo runs there too) never holds a lease write back.
  // ("use strict" leads, or the banner would take the bundle out of strict mode.)
  banner: { js: `"use strict"; if (process.argv[2] === 'run' && !process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '2';` },
  define: { ...define, __SEATKEEPER_TEST_HOOKS__: String(hooks) },
  entryPoints: { [`${name}-bundle`]: 'agent/cli.ts' },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  outdir: 'dist',
  // ws probes for these optional native speed-ups and works without them. systeminformation is a
  // bundle of its own (agent-sysinfo.cjs), loaded by enroll alone (agent/detect/system-information.ts).
  external: ['bufferutil', 'utf-8-validate', 'systeminformation'],
  // Minified: every process keeps the bundle's source for V8 to compile from (a '—' in a comment
  // once made it two bytes a character), so each KiB cut is resident memory saved in the daemon
  // (issue 16). Names are minified too (keeping them cost 4 MiB of heap): the map points home.
  minify: true,
  plugins: [zodEnglishOnly, lazyBuiltins],
});

/**
 * zod re-exports every locale (`z.locales`), which keeps some 40 languages' messages in the bundle:
 * the agent speaks English only, so the locale index resolves to English alone.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: path.join(path.dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-en' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

/**
 * ws requires https, tls and zlib when it loads, and winston's file transport zlib, though an
 * agent speaking to an http:// server, without compression or zipped logs, never uses them: each
 * builtin loaded is heap and Node's own pages resident in the daemon all day (issue 16). In the
 * agent's bundle they load on first use instead.
 */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const files = /node_modules[\\/](ws[\\/]lib[\\/](websocket|permessage-deflate)|winston[\\/](lib|dist)[\\/]winston[\\/]transports[\\/]file)\.js$/;
    b.onLoad({ filter: files }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      const lazy = '(load) => { let m; return new Proxy({}, { get: (_, k) => (m ??= load())[k] }); }';
      let n = 0;
      contents = contents.replace(/require\((['"])(https|tls|zlib)\1\)/g, (_, q, name) => (n++, `__skLazy(() => require('${name}'))`));
      if (n === 0) throw new Error(`lazy-builtins: nothing to make lazy in ${args.path} (the package changed?)`);
      return { contents: `const __skLazy = ${lazy};\n${contents}`, loader: 'js' };
    });
  },
};

/** Writes `file` whole or not at all: tests and other builds may read dist/ meanwhile. */
function writeAtomic(file, data) {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * `check` starts a process at every CAD launch, and compiling the 2 MB bundle is most of what it
 * costs beyond Node's own start. The build compiles it once and keeps V8's code cache beside it
 * (prefixed with the build's id, which the bundle ends with: V8 itself checks only the length);
 * dist/<name>.cjs compiles the bundle with it, or without it when it does not match (another Node,
 * other flags, a newer bundle). The single executable has its own (useCodeCache).
 */
function agentLauncher(name) {
  const bundle = path.resolve('dist', `${name}-bundle.cjs`);
  let source = readFileSync(bundle, 'utf8');
  if (/[^\x00-\xff]/.test(source)) process.stderr.write(`build: ${bundle} holds a character beyond Latin-1: V8 keeps it two bytes a character\n`);
  // Any Latin-1 character left (there was a '°' in a regex of systeminformation) written as \xNN: an ASCII
  // bundle is read as latin1, 4-8 times faster than decoding UTF-8 (1.6 MB at every `check`).
  const escaped = source.replace(/[\x80-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
  if (escaped !== source) writeAtomic(bundle, (source = escaped));
  const encoding = /^[\x00-\x7f]*$/.test(source) ? 'latin1' : 'utf8';
  const data = new vm.Script(Module.wrap(source), { filename: bundle }).createCachedData();
  if (!source.includes(buildMark(name))) throw new Error(`${bundle} does not end with its build id`);
  writeAtomic(`${bundle}.v8cache`, Buffer.concat([Buffer.from(buildIds[name]), data]));
  writeAtomic(
    path.resolve('dist', `${name}.cjs`),
    `// seatkeeper-agent: runs ${name}-bundle.cjs with the V8 code cache the build made of it (scripts/build.mjs).
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const file = path.join(__dirname, ${JSON.stringify(`${name}-bundle.cjs`)});
const source = readFileSync(file, ${JSON.stringify(encoding)});
let cachedData;
try {
  const cache = readFileSync(file + '.v8cache');
  // The cache is of the bundle that ends with its id (a 36-character UUID), or is not used.
  if (source.lastIndexOf('// seatkeeper-build ' + cache.subarray(0, 36).toString('latin1')) > source.length - 500) cachedData = cache.subarray(36);
} catch {}
new vm.Script(Module.wrap(source), { filename: file, cachedData }).runInThisContext()(module.exports, require, module, file, __dirname);
`,
  );
}

await Promise.all([
  build(agent('agent', false)).then(() => agentLauncher('agent')),
  build(agent('agent-hooks', true)).then(() => agentLauncher('agent-hooks')),
  // systeminformation alone, for enroll's one osInfo() call: its 300 KiB stay out of every other process.
  build({ ...common, entryPoints: { 'agent-sysinfo': Module.createRequire(import.meta.url).resolve('systeminformation') }, outExtension: { '.js': '.cjs' }, format: 'cjs', outdir: 'dist', minify: true }),
  // seatctl, the admin CLI: one self-contained CommonJS file too (scripts/package-seatctl.mjs embeds it).
  build({ ...common, entryPoints: { seatctl: 'seatctl/cli.ts' }, outExtension: { '.js': '.cjs' }, format: 'cjs', outdir: 'dist' }),
  build({
    ...common,
    entryPoints: {
      server: 'server/main.ts',
      demo: 'scripts/demo.ts',
      'api-doc': 'scripts/api-doc.ts',
      bench: 'scripts/bench/run.ts',
      'bench-readme': 'scripts/bench-readme.ts',
      // Helper processes the benchmark forks: the server under test, simulated-agent swarms, the bare ws baseline, the flood's attacker.
      'bench-server': 'scripts/bench/bench-server.ts',
      'bench-swarm': 'scripts/bench/swarm.ts',
      'bench-raw': 'scripts/bench/raw-server.ts',
      'bench-flood': 'scripts/bench/flood-attacker.ts',
    },
    outExtension: { '.js': '.mjs' },
    format: 'esm',
    outdir: 'dist',
    packages: 'external',
  }),
]);

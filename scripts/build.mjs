// Bundles the entry points into dist/: the agent as one CommonJS file (what the single-executable
// build embeds), the server and demo as ESM with node_modules left external.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const define = { __SEATKEEPER_VERSION__: JSON.stringify(pkg.version) };
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning', define };

// The shipped agent ignores test hooks (agent/clock.ts); the tests' copy honours them.
const agent = (name, hooks) => ({
  ...common,
  define: { ...define, __SEATKEEPER_TEST_HOOKS__: String(hooks) },
  entryPoints: { [name]: 'agent/cli.ts' },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  outdir: 'dist',
  // ws probes for these optional native speed-ups and works without them.
  external: ['bufferutil', 'utf-8-validate'],
});

await Promise.all([
  build(agent('agent', false)),
  build(agent('agent-hooks', true)),
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
      // Helper processes the benchmark forks: the server under test, simulated-agent swarms, the bare ws baseline.
      'bench-server': 'scripts/bench/bench-server.ts',
      'bench-swarm': 'scripts/bench/swarm.ts',
      'bench-raw': 'scripts/bench/raw-server.ts',
    },
    outExtension: { '.js': '.mjs' },
    format: 'esm',
    outdir: 'dist',
    packages: 'external',
  }),
]);

// Builds the agent bundle once (shared across test files and workers) and runs it as a child.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const AGENT_BUNDLE = path.join(REPO, 'dist', 'agent.cjs');
/** The same agent built with its test hooks honoured; the shipped one ignores them. */
export const HOOKS_BUNDLE = path.join(REPO, 'dist', 'agent-hooks.cjs');
const HOOKS = ['SEATKEEPER_FAKE_NOW', 'SEATKEEPER_MACHINE_ID'];
/** An environment that sets a test hook runs the test build: the shipped one would ignore it. */
const bundleFor = (env: Record<string, string | undefined>) => (HOOKS.some((h) => env[h] !== undefined) ? HOOKS_BUNDLE : AGENT_BUNDLE);

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

const exec = (cmd: string, args: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    execFile(cmd, args, { cwd: REPO, timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, output: `${stdout}${stderr}` }));
  });

/** True when dist/agent.cjs is newer than every agent/ and shared/ source and package.json. */
export async function bundleIsFresh(file = AGENT_BUNDLE): Promise<boolean> {
  if (!existsSync(file) || !existsSync(HOOKS_BUNDLE)) return false;
  const built = Math.min(statSync(file).mtimeMs, statSync(HOOKS_BUNDLE).mtimeMs);
  const newest = Math.max(await newestSource(path.join(REPO, 'agent')), await newestSource(path.join(REPO, 'shared')), statSync(path.join(REPO, 'package.json')).mtimeMs);
  return built > newest;
}

/**
 * Makes sure dist/agent.cjs is current: `node scripts/build.mjs`, serialized across workers by a
 * lock directory. If the full build fails (another team's entry point mid-edit), the agent alone
 * is built with the same esbuild options so agent tests do not depend on server code compiling.
 */
export async function ensureAgentBundle(): Promise<string> {
  if (await bundleIsFresh()) return AGENT_BUNDLE;
  const lock = path.join(REPO, 'dist', '.agent-test-build.lock');
  await fs.mkdir(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await fs.mkdir(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('timed out waiting for the agent build lock');
      const age = Date.now() - (await fs.stat(lock).then((s) => s.mtimeMs).catch(() => Date.now()));
      if (age > 120_000) await fs.rm(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (await bundleIsFresh()) return AGENT_BUNDLE;
    const full = await exec(process.execPath, ['scripts/build.mjs']);
    if (full.code !== 0 || !(await bundleIsFresh())) {
      const agentOnly = await exec(process.execPath, ['--input-type=module', '-e', AGENT_ONLY_BUILD]);
      if (agentOnly.code !== 0) throw new Error(`agent build failed:\n${full.output}\n${agentOnly.output}`);
    }
    return AGENT_BUNDLE;
  } finally {
    await fs.rm(lock, { recursive: true, force: true });
  }
}

// Mirrors the agent entry of scripts/build.mjs.
const agentBuildOptions = (name: string, hooks: boolean) => `{
  bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning',
  define: { __SEATKEEPER_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version), __SEATKEEPER_TEST_HOOKS__: '${hooks}' },
  entryPoints: { '${name}': 'agent/cli.ts' }, outExtension: { '.js': '.cjs' }, format: 'cjs', outdir: 'dist',
  external: ['bufferutil', 'utf-8-validate'],
}`;
const AGENT_ONLY_BUILD = `import { build } from 'esbuild'; import { readFileSync } from 'node:fs'; await build(${agentBuildOptions('agent', false)}); await build(${agentBuildOptions('agent-hooks', true)});`;

export interface AgentRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/agent.cjs ...args` to completion. */
export function runAgent(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 20_000): Promise<AgentRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundleFor(env), ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running agent command (run, login) and returns the child. */
export function spawnAgent(args: string[], env: Record<string, string | undefined> = {}): ChildProcess & { output: () => { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [bundleFor(env), ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return Object.assign(child, { output: () => ({ stdout, stderr }) });
}

/** The environment a child agent gets: PATH and the given variables, nothing from the developer's shell. */
function cleanEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '' };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export function exited(child: ChildProcess, timeoutMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('child did not exit')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

/** Polls until fn returns truthy. */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

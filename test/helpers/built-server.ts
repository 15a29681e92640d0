// The server as an operator runs it, for the crash and durability tests: the same bundle
// scripts/build.mjs makes (built fresh into its own folder under dist/, so node_modules resolve and
// nothing is stale), started as a child process that can be killed, and a check that its data
// files still parse.
import { readMailOf } from './client.js';
import { waitForMail } from './outbox.js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '../..');

export interface BuiltServer {
  bundle: string;
  /** removes the bundle folder */
  dispose(): Promise<void>;
}

export function buildServerBundle(): Promise<BuiltServer> {
  return buildBundle('server/main.ts', 'server');
}

/** Bundles one entry point (a path from the checkout root) as `<name>.mjs` in a fresh folder under dist/. */
export async function buildBundle(entry: string, name: string): Promise<BuiltServer> {
  await mkdir(join(root, 'dist'), { recursive: true });
  const dir = await mkdtemp(join(root, 'dist', `.built-${name}-`));
  const built = build({
    entryPoints: { [name]: join(root, entry) },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    define: { __SEATKEEPER_VERSION__: '"0.0.0-test"' },
  });
  // A build that fails (code that does not compile) leaves no folder behind in dist/.
  await built.catch(async (e: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw e;
  });
  return { bundle: join(dir, `${name}.mjs`), dispose: () => rm(dir, { recursive: true, force: true }) };
}

export interface RunningServer {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Bursts from 127.0.0.1 are the test, not an attack: the built server's per-address limits are raised. */
const quiet = {
  ...process.env,
  SEATKEEPER_LOG_LEVEL: 'error',
  SEATKEEPER_LIMITS: JSON.stringify({ publicRoute: { attempts: 100_000, windowSeconds: 60 }, passwordHashQueue: 100_000, passwordHashQueuePerAddress: 100_000, connectionsPerAddress: 100_000 }),
};

/** Runs one `seatkeeper-server` command to its end; its exit code and what it printed. */
export function runServerCommand(bundle: string, args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [bundle, ...args], { env: { ...process.env, SEATKEEPER_LOG_LEVEL: 'error' } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => (stdout += d));
    // 'close', not 'exit': everything it printed has been read by then.
    child.on('close', (code) => res({ code, stderr, stdout }));
  });
}

/** `seatkeeper-server add-org --file F --data D`; returns the organization id. */
export async function addOrg(bundle: string, dataDir: string, file: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [bundle, 'add-org', '--file', file, '--data', dataDir], { env: quiet });
  return stdout.trim();
}

export async function startBuiltServer(bundle: string, dataDir: string, children: Set<ChildProcess>): Promise<RunningServer> {
  const child = spawn(process.execPath, [bundle, '--data', dataDir, '--port', '0'], { env: quiet, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start: ${out} ${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Seatkeeper is running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    void exited.then(({ code }) => rej(new Error(`server exited with ${code}: ${err}`)));
  });
  // The built server writes mail to its outbox: the helpers verify addresses from it.
  readMailOf(url, (to, subject) => waitForMail(dataDir, to, subject));
  return { child, url, exited };
}

/**
 * Every data file parses; only the last line of an audit log or journal may be torn by a kill
 * mid-append. Returns the temporary files present: a kill can leave a half-written one (it is
 * never read, and the next start removes it).
 */
export async function expectFilesParse(dataDir: string): Promise<string[]> {
  JSON.parse(await readFile(join(dataDir, 'global.json'), 'utf8'));
  for (const line of (await readFile(join(dataDir, 'global.journal.jsonl'), 'utf8').catch(() => '')).split('\n').slice(0, -2)) JSON.parse(line);
  const names = await readdir(join(dataDir, 'orgs'));
  const temps = [...names, ...(await readdir(dataDir))].filter((n) => n.endsWith('.tmp'));
  for (const n of names.filter((x) => x.endsWith('.json') && !x.startsWith('.'))) JSON.parse(await readFile(join(dataDir, 'orgs', n), 'utf8'));
  for (const n of names.filter((x) => x.endsWith('.audit.jsonl') || x.endsWith('.journal.jsonl'))) {
    const lines = (await readFile(join(dataDir, 'orgs', n), 'utf8')).split('\n');
    for (const line of lines.slice(0, -2)) JSON.parse(line);
  }
  return temps.sort();
}

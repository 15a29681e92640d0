// seatctl as one executable (scripts/package-seatctl.mjs), run with no node on PATH against a
// real server: it carries everything it needs.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSetup, type Admin } from './admin.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const EXE = path.join(REPO, 'dist', `seatctl-${process.platform}-${process.arch}${process.platform === 'win32' ? '.exe' : ''}`);
const VERSION = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
let a: Admin;

function runExe(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(EXE, args, { env: { PATH: '/nonexistent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  // dist/seatctl.cjs as scripts/build.mjs makes it (only seatctl: the rest of the build is not needed).
  await build({
    entryPoints: { seatctl: 'seatctl/cli.ts' },
    outdir: path.join(REPO, 'dist'),
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    logLevel: 'warning',
    define: { __SEATKEEPER_VERSION__: JSON.stringify(VERSION) },
  });
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ['scripts/package-seatctl.mjs'], { cwd: REPO, timeout: 120_000 }, (err, _out, stderr) => (err ? reject(new Error(`package-seatctl failed: ${stderr}`)) : resolve())),
  );
  a = await adminSetup();
}, 180_000);
afterAll(() => a?.server.stop());

describe('seatctl single executable', () => {
  it('logs in and lists members with no node on PATH', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'sk-seatctl-sea-'));
    const env = { HOME: home, XDG_CONFIG_HOME: home };
    expect((await runExe(['--version'], env)).stdout.trim()).toBe(VERSION);
    const login = await runExe(['login', '--server', a.server.url, '--token', a.token], env);
    expect(login.code, login.stderr).toBe(0);
    const list = await runExe(['--json', 'members', 'list'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).members.map((m: { accountId: string }) => m.accountId)).toContain(a.ownerId);
  });
});

// A port already in use stops `seatkeeper-server` and the demo (`npm start`) with a message that
// says how to choose another (PORT=0 picks a free one) and a non-zero exit, not a bare EADDRINUSE.
// Runs the built entry points over dist/: `npm run build` first.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
let taken: Server;
let port: number;
let dataDir: string;

beforeAll(async () => {
  for (const f of ['server.mjs', 'demo.mjs']) if (!existsSync(join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` first`);
  dataDir = await mkdtemp(join(tmpdir(), 'sk-port-'));
  taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  port = (taken.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((r) => taken.close(r));
  await rm(dataDir, { recursive: true, force: true });
});

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'dist', script)], {
    cwd: dataDir,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', SEATKEEPER_DATA: dataDir, SEATKEEPER_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res, rej) => {
    // One that started anyway would keep running: that is the failure.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`${script} kept running on a taken port; stderr: ${stderr}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      res({ code, stderr });
    });
  });
}

describe('a port already in use', () => {
  it('stops seatkeeper-server with a non-zero exit and says how to choose another port', async () => {
    const r = await run('server.mjs', {});
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Port ${port}`);
    expect(r.stderr).toMatch(/already in use/);
    expect(r.stderr).toContain('PORT=0 seatkeeper-server');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('stops the demo (npm start) the same way', async () => {
    const r = await run('demo.mjs', { SEATKEEPER_DEMO_AGENT: '0' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/already in use/);
    expect(r.stderr).toContain('PORT=0 npm start');
  });
});

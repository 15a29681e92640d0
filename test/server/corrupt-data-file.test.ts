// A data file the server cannot read stops it, as an operator starts it (`seatkeeper-server`, the
// package's bin, over dist/server.mjs: run `npm run build` first): a non-zero exit, a message that
// names the file, and the file left exactly as it was, never "repaired" by overwriting it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedOrg, startTestServer } from '../helpers/server.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin', 'seatkeeper-server.js');

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'server.mjs'))) throw new Error('dist/server.mjs is missing: run `npm run build` first');
});

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A data directory written by a real server: global.json and one organization. */
async function dataDirWithOrg(): Promise<{ dataDir: string; orgFile: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sk-corrupt-'));
  dirs.push(dataDir);
  const server = await startTestServer({ dataDir });
  const { orgId } = await seedOrg(server);
  await server.stop();
  const orgFile = join(dataDir, 'orgs', `${orgId}.json`);
  expect(existsSync(orgFile)).toBe(true);
  return { dataDir, orgFile };
}

function runServer(dataDir: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, '--data', dataDir, '--port', '0'], {
    cwd: root,
    env: { ...process.env, SEATKEEPER_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res, rej) => {
    // A server that started over the damaged file would keep running: that is the failure.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`the server did not exit over a corrupt data file; stdout: ${stdout} stderr: ${stderr}`));
    }, 20_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr });
    });
  });
}

describe('a corrupt organization file', () => {
  it.each([
    ['binary garbage', Buffer.from([0x00, 0xff, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x0a, 0x7b])],
    ['JSON cut off mid-write', Buffer.from('{"schema":1,"org":{"id":"org_x","name":"Acme')],
    ['JSON that is not a Seatkeeper document', Buffer.from('[1, 2, 3]\n')],
    ['an empty file', Buffer.alloc(0)],
  ])('(%s) stops seatkeeper-server with a non-zero exit naming the file, and leaves it byte-identical', async (_what, garbage) => {
    const { dataDir, orgFile } = await dataDirWithOrg();
    await writeFile(orgFile, garbage);
    const filesBefore = (await readdir(join(dataDir, 'orgs'))).sort();

    const r = await runServer(dataDir);

    expect(r.signal).toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(orgFile);
    expect(r.stderr).toMatch(/cannot read its data file/);
    expect(r.stdout).not.toMatch(/running at/);
    expect(await readFile(orgFile)).toEqual(garbage);
    expect((await readdir(join(dataDir, 'orgs'))).sort()).toEqual(filesBefore);
  });
});

// The data directory and the operator (issue 14 §9): modes tightened whatever was there before,
// one process per data directory, and a document that is JSON but not a document stops the start
// with the file's name.
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../server/core/data-dir.js';
import { OPERATOR_FILE } from '../../server/ops/operator-file.js';
import { buildServerBundle, runServerCommand, type BuiltServer } from '../helpers/built-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const dirs: string[] = [];
const servers: TestServer[] = [];
let built: BuiltServer;
beforeAll(async () => {
  built = await buildServerBundle();
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});
afterAll(async () => {
  await built?.dispose();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempData(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sk-datadir-'));
  dirs.push(d);
  return d;
}

const mode = async (p: string) => (await stat(p)).mode & 0o777;

const run = (args: string[]) => runServerCommand(built.bundle, args);

describe('modes under the data directory', () => {
  it('makes an existing 0755 directory, its outbox and a 0644 mail 0700/0600, and writes new mail 0600', async () => {
    const dataDir = await tempData();
    await chmod(dataDir, 0o755);
    await mkdir(join(dataDir, 'outbox'), { mode: 0o755 });
    await writeFile(join(dataDir, 'outbox', 'old.eml'), 'To: x@y\n\nhttp://invite/token', { mode: 0o644 });
    const s = await startTestServer({ dataDir });
    servers.push(s);
    expect(await mode(dataDir)).toBe(0o700);
    expect(await mode(join(dataDir, 'outbox'))).toBe(0o700);
    expect(await mode(join(dataDir, 'outbox', 'old.eml'))).toBe(0o600);
    await s.services.mailer.send({ to: 'someone@acme.test', subject: 'Invitation', text: 'http://invite/new-token' });
    for (const name of await readdir(join(dataDir, 'outbox'))) expect(await mode(join(dataDir, 'outbox', name)), name).toBe(0o600);
    for (const name of await readdir(dataDir, { recursive: true })) {
      const p = join(dataDir, name);
      expect(await mode(p), name).toBe((await stat(p)).isDirectory() ? 0o700 : 0o600);
    }
  });
});

describe('one process per data directory', () => {
  it('refuses a second server and an offline add-org while a server holds it; the org file is not written', async () => {
    const dataDir = await tempData();
    const s = await startTestServer({ dataDir });
    servers.push(s);
    await expect(startTestServer({ dataDir })).rejects.toThrow(/in use by another Seatkeeper process \(pid \d+/);
    // Without the operator file add-org cannot reach the server (operator.test.ts covers that way):
    // it falls back to acting offline, and the lock refuses.
    await rm(join(dataDir, OPERATOR_FILE));
    const orgFile = join(await tempData(), 'org.json');
    await writeFile(orgFile, JSON.stringify({ name: 'Late Works', contracts: [{ number: 'C-1', serials: ['LATE-1'], lines: [{ productCode: 'SW-PREMIUM', seats: 1, method: 'named-user' }] }] }));
    const r = await run(['add-org', '--file', orgFile, '--data', dataDir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/in use by another Seatkeeper process/);
    expect(await readdir(join(dataDir, 'orgs'))).toEqual([]);
    expect(s.services.store.global().serials['LATE-1']).toBeUndefined();
  });

  it('takes over a lock left by a process that is gone, and lets go of it on close', async () => {
    const dataDir = await tempData();
    await writeFile(join(dataDir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), since: 'yesterday' }));
    const s = await startTestServer({ dataDir });
    expect(JSON.parse(await readFile(join(dataDir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await s.stop();
    await expect(stat(join(dataDir, LOCK_FILE))).rejects.toThrow();
  });
});

describe('a data file that is JSON but not a document', () => {
  it('stops the start with a message naming the file, and leaves the file as it was', async () => {
    const dataDir = await tempData();
    const global = join(dataDir, 'global.json');
    const text = JSON.stringify({ schema: 1, accounts: { acc_x: { email: 'x@y.test' } }, sessions: {}, apiTokens: {}, serials: {}, orgs: {} });
    await writeFile(global, text);
    await expect(startTestServer({ dataDir })).rejects.toThrow(new RegExp(`${global.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*accounts\\.acc_x\\.id`));
    expect(await readFile(global, 'utf8')).toBe(text);
    // The lock is not left behind by the refused start.
    await expect(stat(join(dataDir, LOCK_FILE))).rejects.toThrow();
    const r = await run(['--data', dataDir, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(global);
    expect(r.stderr).not.toMatch(/Cannot read properties/);
  });
});

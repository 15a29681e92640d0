// The built server on PostgreSQL as an operator runs it: it refuses an unmigrated database and says
// what to run, `migrate` brings the schema up, and every write it acknowledged survives a SIGKILL
// mid-burst, read back by a second server process on the same database.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServerBundle, type BuiltServer } from '../helpers/built-server.js';
import { Client, owner, readMailOf, registered, uniqueEmail } from '../helpers/client.js';
import { waitForMail } from '../helpers/outbox.js';
import { testDatabaseUrl, usePostgres } from '../helpers/postgres.js';

usePostgres();

let built: BuiltServer;
let dir: string;
const children = new Set<ChildProcess>();
const quiet = { ...process.env, SEATKEEPER_LOG_LEVEL: 'error' };

beforeAll(async () => {
  built = await buildServerBundle();
  dir = await mkdtemp(join(tmpdir(), 'sk-pg-server-'));
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await built?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [built.bundle, ...args], { env: quiet }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

async function start(url: string): Promise<{ child: ChildProcess; url: string; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [built.bundle, '--database', url, '--data', dir, '--port', '0'], { env: quiet, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const base = await new Promise<string>((res, rej) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Seatkeeper is running at (http:\/\/\S+)/.exec(out);
      if (m) res(m[1]!);
    });
    void exited.then(() => rej(new Error(`server exited: ${out} ${err}`)));
  });
  // Mail goes to the outbox under --data: the helpers verify addresses from it.
  readMailOf(base, (to, subject) => waitForMail(dir, to, subject));
  return { child, url: base, exited };
}

describe('the built server on PostgreSQL', () => {
  it('refuses an unmigrated database with the command to run, and migrate fixes it', async () => {
    const url = await testDatabaseUrl({ migrated: false });
    const refused = await cli(['--database', url, '--data', dir, '--port', '0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('seatkeeper-server migrate --database');
    const migrated = await cli(['migrate', '--database', url]);
    expect(migrated).toMatchObject({ code: 0, stdout: expect.stringMatching(/from schema version 0 to \d+/) });
    expect((await cli(['migrate', '--database', url])).stdout).toMatch(/nothing to do/);
    const s = await start(url);
    s.child.kill('SIGTERM');
    await s.exited;
  });

  it('imports a data directory (add-org wrote it) and refuses a second import into the same database', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sk-pg-import-'));
    const orgFile = join(dataDir, '..', `${dataDir.split('/').pop()}-org.json`);
    await writeFile(orgFile, JSON.stringify({ name: 'Imported Works', contracts: [{ number: 'C-IMP', serials: [`IMP-${process.pid}`], lines: [{ productCode: 'SW-PREMIUM', seats: 3, method: 'named-user' }] }] }));
    try {
      const added = await cli(['add-org', '--file', orgFile, '--data', dataDir]);
      expect(added.code).toBe(0);
      const url = await testDatabaseUrl();
      const imported = await cli(['import', '--from-data', dataDir, '--database', url]);
      expect(imported).toMatchObject({ code: 0, stdout: expect.stringMatching(/Imported 1 organizations and \d+ audit events, and read them back: they match/) });
      const again = await cli(['import', '--from-data', dataDir, '--database', url]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('already holds Seatkeeper data');
      const missing = await cli(['import', '--from-data', join(dataDir, 'nope'), '--database', url]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('holds no Seatkeeper data');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
      await rm(orgFile, { force: true });
    }
  });

  it('refuses a database URL that is not one', async () => {
    const r = await cli(['--database', 'mysql://x', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--database: expected a URL such as postgres://');
  });

  it('keeps every acknowledged write across a SIGKILL mid-burst', async () => {
    const url = await testDatabaseUrl();
    const serial = `PG-${process.pid}-${Date.now() % 1e6}`;
    const orgFile = join(dir, 'org.json');
    await writeFile(orgFile, JSON.stringify({ name: 'Postgres Works', contracts: [{ number: 'C-PG', serials: [serial], lines: [{ productCode: 'SW-PREMIUM', seats: 100, method: 'named-user' }] }] }));
    const added = await cli(['add-org', '--file', orgFile, '--database', url, '--data', dir]);
    expect(added.code).toBe(0);
    const orgId = added.stdout.trim();
    const base = `/api/v1/orgs/${orgId}`;

    let s = await start(url);
    const admin = await owner(s.url, { orgId, serial, name: 'Postgres Works' }, uniqueEmail('owner'));
    const lineId = (await admin.client.get(`${base}/contracts`)).body.contracts[0].lines[0].id as string;
    // Eight: with the owner, within the default limit on serial numbers tried per address.
    const people = await Promise.all(Array.from({ length: 8 }, () => registered(s.url, { serial })));
    const acked: string[] = [];
    let killed = false;
    await Promise.all(
      [people.slice(0, 4), people.slice(4)].map(async (group) => {
        for (const p of group) {
          try {
            const r = await admin.client.post(`${base}/assignments`, { lineId, accountId: p.accountId });
            expect(r.status).toBe(201);
            acked.push(r.body.id as string);
          } catch (err) {
            if (!killed) throw err;
            return;
          }
          if (!killed && acked.length >= 3) {
            killed = true;
            s.child.kill('SIGKILL');
          }
        }
      }),
    );
    await s.exited;
    s = await start(url);
    const again = new Client(s.url);
    expect((await again.post('/api/v1/auth/sign-in', { email: admin.email, password: 'correct horse battery' })).status).toBe(200);
    const ids = new Set(((await again.get(`${base}/assignments?lineId=${lineId}`)).body.assignments as Array<{ id: string }>).map((a) => a.id));
    for (const id of acked) expect(ids).toContain(id);
    s.child.kill('SIGTERM');
    await s.exited;
  });
});

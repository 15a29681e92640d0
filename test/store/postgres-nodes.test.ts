// Three server processes on one PostgreSQL, as an operator runs them: any node serves any admin,
// a session made on one is honoured by the others, and 30 concurrent assignments spread over the
// three on a 5-seat line give exactly 5 (the database puts commits to one organization in one order).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServerBundle, type BuiltServer } from '../helpers/built-server.js';
import { Client, owner, readMailOf, registered, uniqueEmail } from '../helpers/client.js';
import { waitForMail } from '../helpers/outbox.js';
import { testDatabaseUrl, usePostgres } from '../helpers/postgres.js';

usePostgres();

let built: BuiltServer;
const dirs: string[] = [];
const children = new Set<ChildProcess>();
const quiet = { ...process.env, SEATKEEPER_LOG_LEVEL: 'error' };

beforeAll(async () => {
  built = await buildServerBundle();
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await built?.dispose();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sk-pg-node-'));
  dirs.push(d);
  return d;
}

async function startNode(url: string): Promise<string> {
  // Each node has its own data directory (the outbox); the data lives in the database.
  const dataDir = await tempDir();
  const child = spawn(process.execPath, [built.bundle, '--database', url, '--data', dataDir, '--port', '0'], { env: quiet, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<string>((res, rej) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Seatkeeper is running at (http:\/\/\S+)/.exec(out);
      if (m) {
        // The helpers verify addresses from this node's outbox.
        readMailOf(m[1]!, (to, subject) => waitForMail(dataDir, to, subject));
        res(m[1]!);
      }
    });
    child.once('exit', (code) => rej(new Error(`node exited ${code}: ${out} ${err}`)));
  });
}

/** The same signed-in session, talking to another node. */
function on(base: string, c: Client): Client {
  const other = new Client(base);
  other.cookie = c.cookie;
  return other;
}

describe('three nodes on one PostgreSQL', () => {
  it('gives exactly 5 of 30 concurrent assignments spread over three nodes on a 5-seat line', async () => {
    const url = await testDatabaseUrl();
    const serial = `NODES-${process.pid}`;
    const orgFile = join(await tempDir(), 'org.json');
    await writeFile(orgFile, JSON.stringify({ name: 'Three Nodes', contracts: [{ number: 'C-3N', serials: [serial], lines: [{ productCode: 'SW-PREMIUM', seats: 5, method: 'named-user' }] }] }));
    const { stdout } = await promisify(execFile)(process.execPath, [built.bundle, 'add-org', '--file', orgFile, '--database', url, '--data', await tempDir()], { env: quiet });
    const orgId = stdout.trim();
    const nodes = await Promise.all([startNode(url), startNode(url), startNode(url)]);
    const base = `/api/v1/orgs/${orgId}`;

    const admin = await owner(nodes[0]!, { orgId, serial, name: 'Three Nodes' }, uniqueEmail('owner'));
    const people: Array<{ accountId: string }> = [];
    for (let i = 0; i < 30; i += 5) people.push(...(await Promise.all(Array.from({ length: 5 }, (_, k) => registered(nodes[(i + k) % 3]!, { serial })))));
    // Every node has read in the owner's session and the 30 members (notification, or the next poll).
    const lineId = (await admin.client.get(`${base}/contracts`)).body.contracts[0].lines[0].id as string;
    for (const n of nodes) {
      await vi.waitFor(
        async () => {
          const r = await on(n, admin.client).get(`${base}/members`);
          expect(r.status).toBe(200);
          expect(JSON.stringify(r.body)).toContain(people.at(-1)!.accountId);
        },
        { timeout: 20_000, interval: 50 },
      );
    }

    const results = await Promise.all(people.map((p, i) => on(nodes[i % 3]!, admin.client).post(`${base}/assignments`, { lineId, accountId: p.accountId })));
    const codes = results.map((r) => (r.status === 201 ? 'created' : (r.body?.error?.code as string)));
    expect(codes.filter((c) => c === 'created')).toHaveLength(5);
    expect(codes.filter((c) => c !== 'created')).toEqual(Array(25).fill('SEAT_LIMIT_REACHED'));
    for (const n of nodes) {
      await vi.waitFor(
        async () => {
          const listed = await on(n, admin.client).get(`${base}/assignments?lineId=${lineId}`);
          expect(listed.body.assignments).toHaveLength(5);
        },
        { timeout: 20_000, interval: 50 },
      );
    }
    // Three servers, 31 password hashes and the races on two shared cores: a generous guard, not a timing.
  }, 120_000);
});

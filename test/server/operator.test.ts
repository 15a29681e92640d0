// Organizations added, listed and removed while a server runs on the data directory (issue 14 §9):
// `seatkeeper-server orgs …` goes through the running server (DATA/operator.json), so nothing is
// lost; the operator routes answer 404, exactly like an unknown route, to anyone without the token
// or not on loopback (a trusted proxy's X-Forwarded-For included).
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_FILE, isLoopback, type OperatorFile } from '../../server/ops/operator-file.js';
import { buildServerBundle, runServerCommand, startBuiltServer, type BuiltServer } from '../helpers/built-server.js';
import { Client, owner } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const dirs: string[] = [];
const children = new Set<ChildProcess>();
const servers: TestServer[] = [];
let built: BuiltServer;
beforeAll(async () => {
  built = await buildServerBundle();
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
});
afterAll(async () => {
  await built?.dispose();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sk-operator-'));
  dirs.push(d);
  return d;
}

const cli = (args: string[]) => runServerCommand(built.bundle, args);

async function orgFile(name: string, serial: string): Promise<string> {
  const f = join(await tempDir(), 'org.json');
  await writeFile(f, JSON.stringify({ name, contracts: [{ number: `C-${serial}`, serials: [serial], lines: [{ productCode: 'SW-PREMIUM', seats: 2, method: 'named-user' }] }] }));
  return f;
}

const operatorOf = async (dataDir: string) => JSON.parse(await readFile(join(dataDir, OPERATOR_FILE), 'utf8')) as OperatorFile;

describe('orgs commands against a running server', () => {
  it('adds through the running server, lists, survives a restart, and removes by archiving', async () => {
    const dataDir = await tempDir();
    let server = await startBuiltServer(built.bundle, dataDir, children);
    expect((await stat(join(dataDir, OPERATOR_FILE))).mode & 0o777).toBe(0o600);

    const added = await cli(['add-org', '--file', await orgFile('Live Works', 'LIVE-1'), '--data', dataDir]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const orgId = added.stdout.trim();
    expect(orgId).toMatch(/^org_/);
    // The running server knows it at once: registering with its serial and claiming it work.
    const boss = await owner(server.url, { orgId, serial: 'LIVE-1', name: 'Live Works' });

    const listed = await cli(['orgs', 'list', '--json', '--data', dataDir]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([{ id: orgId, name: 'Live Works', serials: ['LIVE-1'], claimed: true, members: 1 }]);

    // A clean stop removes the operator file; the organization was saved by the server itself.
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    await expect(stat(join(dataDir, OPERATOR_FILE))).rejects.toThrow(/ENOENT/);
    server = await startBuiltServer(built.bundle, dataDir, children);
    const again = JSON.parse((await cli(['orgs', 'list', '--json', '--data', dataDir])).stdout) as Array<{ id: string }>;
    expect(again.map((o) => o.id)).toEqual([orgId]);

    const wrongName = await cli(['orgs', 'remove', orgId, '--confirm', 'Other Works', '--data', dataDir]);
    expect(wrongName.code).toBe(1);
    expect(wrongName.stderr).toMatch(/must be the organization's name exactly/);
    const removed = await cli(['orgs', 'remove', orgId, '--confirm', 'Live Works', '--data', dataDir]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/Removed/);
    const reply = await new Client(server.url).post('/api/v1/auth/register', { email: `late.${process.pid}@acme.test`, password: 'correct horse battery', name: 'Late', serial: 'LIVE-1' });
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('UNKNOWN_SERIAL');
    expect(JSON.parse((await cli(['orgs', 'list', '--json', '--data', dataDir])).stdout)).toEqual([]);
    // Its own owner no longer reaches it either: it answers as an organization that does not exist.
    const bossNow = new Client(server.url); // the restarted server listens on a new port; the session is kept
    bossNow.cookie = boss.client.cookie;
    expect((await bossNow.get('/api/v1/me')).status).toBe(200);
    const gone = await bossNow.get(`/api/v1/orgs/${orgId}/members`);
    expect({ status: gone.status, code: gone.body.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  it('acts offline when the server that wrote the operator file crashed', async () => {
    const dataDir = await tempDir();
    const server = await startBuiltServer(built.bundle, dataDir, children);
    server.child.kill('SIGKILL');
    await server.exited;
    await stat(join(dataDir, OPERATOR_FILE)); // left behind by the crash
    const r = await cli(['orgs', 'add', '--file', await orgFile('After Crash', 'CRASH-1'), '--data', dataDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const listed = await cli(['orgs', 'list', '--data', dataDir]);
    expect(listed.stdout).toContain(`${r.stdout.trim()}  After Crash  serials: CRASH-1  unclaimed  members: 0`);
  });

  it('refuses an invalid organization file with a message and changes nothing', async () => {
    const dataDir = await tempDir();
    const server = await startTestServer({ dataDir });
    servers.push(server);
    const f = join(await tempDir(), 'bad.json');
    await writeFile(f, JSON.stringify({ name: '', contracts: 'none' }));
    const r = await cli(['orgs', 'add', '--file', f, '--data', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.json/);
    expect(Object.keys(server.services.store.global().orgs)).toEqual([]);
  });

  it('still adds offline when no server runs', async () => {
    const dataDir = await tempDir();
    const r = await cli(['add-org', '--file', await orgFile('Quiet Works', 'QUIET-1'), '--data', dataDir]);
    expect(r.code).toBe(0);
    const orgId = r.stdout.trim();
    await expect(stat(join(dataDir, OPERATOR_FILE))).rejects.toThrow(/ENOENT/);
    const server = await startTestServer({ dataDir });
    servers.push(server);
    expect(server.services.store.global().serials['QUIET-1']).toBe(orgId);
  });
});

describe('the operator routes to strangers', () => {
  const notFound = (r: { status: number; body: { error?: { code?: string } } }) => ({ status: r.status, code: r.body.error?.code });

  it('answer 404 like an unknown route without the token, with a wrong one, or forwarded through a trusted proxy', async () => {
    const server = await startTestServer({ trustedProxies: ['127.0.0.1'] });
    servers.push(server);
    const { token } = await operatorOf(server.dataDir);
    const c = new Client(server.url);
    const unknown = notFound(await c.get('/api/v1/operator/nothing-here'));
    expect(unknown).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect(notFound(await c.get('/api/v1/operator/orgs'))).toEqual(unknown);
    expect(notFound(await c.req('GET', '/api/v1/operator/orgs', undefined, { authorization: `Operator ${'x'.repeat(43)}` }))).toEqual(unknown);
    expect(notFound(await c.req('GET', '/api/v1/operator/orgs', undefined, { authorization: `Bearer ${token}` }))).toEqual(unknown);
    expect(notFound(await c.req('POST', '/api/v1/operator/orgs', { name: 'Sneaky', contracts: [] }, { authorization: 'Operator nope' }))).toEqual(unknown);
    // The proxy is trusted and says the caller is loopback, or anywhere: a forwarded request is never the operator.
    for (const xff of ['127.0.0.1', '203.0.113.9']) {
      expect(notFound(await c.req('GET', '/api/v1/operator/orgs', undefined, { authorization: `Operator ${token}`, 'x-forwarded-for': xff }))).toEqual(unknown);
    }
    expect(Object.keys(server.services.store.global().orgs)).toEqual([]);
    // The real token from loopback is let in (so the refusals above are about what they lack).
    const ok = await c.req('GET', '/api/v1/operator/orgs', undefined, { authorization: `Operator ${token}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ orgs: [] });
  });

  it('answer 404 to the right token from a non-loopback address', async () => {
    expect([isLoopback('192.0.2.2'), isLoopback('::ffff:10.0.0.1'), isLoopback('::1'), isLoopback('::ffff:127.0.0.1')]).toEqual([false, false, true, true]);
    const external = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4');
    // A machine with no network interface but loopback cannot make such a call; the check above still runs.
    if (!external) return;
    const server = await startTestServer({ host: '0.0.0.0' });
    servers.push(server);
    const { token } = await operatorOf(server.dataDir);
    const c = new Client(`http://${external.address}:${server.port}`);
    const r = await c.req('GET', '/api/v1/operator/orgs', undefined, { authorization: `Operator ${token}` });
    expect({ status: r.status, code: r.body.error?.code }).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect((await new Client(`http://127.0.0.1:${server.port}`).req('GET', '/api/v1/operator/orgs', undefined, { authorization: `Operator ${token}` })).status).toBe(200);
  });
});

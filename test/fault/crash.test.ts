// kill -9 at random moments while writes of every kind are in flight, eight times over the same
// data directory: after each restart every acknowledged write is there (and every acknowledged
// delete is gone), and the data files parse. A moment is "after the Nth acknowledged write of the
// cycle" (not a time: a loaded machine does less per millisecond), N from a seed printed on
// failure; SEATKEEPER_CRASH_SEED=<n> replays the same choices.
import type { ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_ENROLL_PATH } from '../../shared/api/agent-enroll.js';
import { Client, owner, registered, uniqueEmail } from '../helpers/client.js';
import { addOrg, buildServerBundle, expectFilesParse, startBuiltServer, type BuiltServer, type RunningServer } from '../helpers/built-server.js';

const CYCLES = 8;
/** Each cycle is killed after this many acknowledged writes plus a random share of KILL_SPREAD. */
const KILL_AFTER_MIN = 15;
const KILL_SPREAD = 40;
const seed = Number(process.env.SEATKEEPER_CRASH_SEED ?? Date.now() % 1_000_000_007);
let rnd = seed;
/** Park–Miller, so a seed replays the same kill moments. */
const random = () => (rnd = (rnd * 48271) % 2147483647) / 2147483647;

let built: BuiltServer;
let dataDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  built = await buildServerBundle();
  dataDir = await mkdtemp(join(tmpdir(), 'sk-crash-'));
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await built?.dispose();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** What the client was told, and what it may still have been doing when the server died. */
interface Ledger {
  tokens: string[];
  devices: string[];
  assignmentsMade: Map<string, string>; // id → account
  assignmentsDeleted: string[];
  /** deletes sent but not answered: their assignment may or may not be gone */
  deleting: Set<string>;
}

const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * The server died under this request: the connection was refused, reset or closed mid-reply.
 * fetch reports those as TypeError 'fetch failed' (or 'terminated' while reading the body) with
 * the socket error as its cause. Anything else (a failed expect, a 5xx) is a real failure.
 */
function isConnectionError(err: unknown): boolean {
  const code = (e: unknown) => String((e as { code?: unknown } | undefined)?.code);
  if (!(err instanceof Error)) return false;
  if (CONNECTION_CODES.has(code(err))) return true;
  return err instanceof TypeError && (err.message === 'fetch failed' || err.message === 'terminated') && CONNECTION_CODES.has(code(err.cause));
}

function enrollBody(token: string) {
  const { publicKey } = generateKeyPairSync('ed25519');
  return {
    token,
    publicKey: publicKey.export({ format: 'jwk' }).x,
    machineId: createHash('sha256').update(`crash-${Math.random()}`).digest('hex'),
    hostname: 'crash-ws',
    os: { platform: 'linux', distro: 'Test', release: '1', arch: 'x64' },
    agentVersion: '0.0.0-test',
  };
}

describe('what a writer may lose to the kill', () => {
  const listen = async (onSocket: (s: Socket) => void) => {
    const srv = createServer(onSocket);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise((r) => srv.close(r)) };
  };
  const errorOf = async (fn: () => Promise<unknown>) => fn().then(() => null, (e: unknown) => e);

  it('is a refused, reset or cut connection', async () => {
    const closed = await listen(() => {});
    await closed.close();
    expect(isConnectionError(await errorOf(() => fetch(closed.url)))).toBe(true);
    const reset = await listen((s) => s.resetAndDestroy());
    expect(isConnectionError(await errorOf(() => fetch(reset.url)))).toBe(true);
    await reset.close();
    // Headers and half a body, then the process is gone.
    const cut = await listen((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"id":')));
    expect(isConnectionError(await errorOf(async () => (await fetch(cut.url)).json()))).toBe(true);
    await cut.close();
  });

  it('is never a wrong answer: a failed expectation or a 5xx', async () => {
    const failedExpect = await errorOf(async () => expect(503, 'status').toBe(201));
    expect(failedExpect).toBeInstanceOf(Error);
    expect(isConnectionError(failedExpect)).toBe(false);
    const bad = await listen((s) => s.once('data', () => s.end('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n{}')));
    const res = await fetch(bad.url);
    expect(res.status).toBe(503);
    expect(isConnectionError(await errorOf(async () => expect(res.status).toBe(201)))).toBe(false);
    await bad.close();
    expect(isConnectionError(new TypeError('fetch failed'))).toBe(false);
    expect(isConnectionError(new SyntaxError('Unexpected end of JSON input'))).toBe(false);
  });
});

describe('crash: kill -9 during concurrent writes', () => {
  it(`keeps every acknowledged write through ${CYCLES} kills at random moments`, async () => {
    const serial = `CRASH-${process.pid}-${seed % 100000}`;
    const orgFile = join(dataDir, 'org.json');
    await writeFile(orgFile, JSON.stringify({ name: 'Crash Works', contracts: [{ number: 'C-CRASH', serials: [serial], lines: [{ productCode: 'SW-PREMIUM', seats: 50, method: 'named-user' }] }] }));
    const orgId = await addOrg(built.bundle, dataDir, orgFile);
    const base = `/api/v1/orgs/${orgId}`;

    let s: RunningServer = await startBuiltServer(built.bundle, dataDir, children);
    const admin = await owner(s.url, { orgId, serial, name: 'Crash Works' }, uniqueEmail('owner'));
    const lineId = (await admin.client.get(`${base}/contracts`)).body.contracts[0].lines[0].id as string;
    const people = await Promise.all(Array.from({ length: 6 }, () => registered(s.url, { serial })));
    const enrollToken = (await admin.client.post(`${base}/enrollment-tokens`, { name: 'crash', expiresInHours: 24 })).body.token as string;
    const ledger: Ledger = { tokens: [], devices: [], assignmentsMade: new Map(), assignmentsDeleted: [], deleting: new Set() };
    let failedTotal = 0;

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const api = Object.assign(new Client(s.url), { cookie: admin.client.cookie });
      // Where each person's seat stands now, as the restarted server says.
      const current = new Map<string, string>();
      for (const a of (await api.get(`${base}/assignments?lineId=${lineId}`)).body.assignments as Array<{ id: string; accountId: string }>) current.set(a.accountId, a.id);

      let dead = false;
      let acked = 0;
      const killAt = KILL_AFTER_MIN + Math.floor(random() * KILL_SPREAD);
      let killed!: () => void;
      const killer = new Promise<void>((res) => (killed = res));
      // Nine writers keep requests in flight, so the kill at the Nth answer cuts some of them.
      const acknowledged = () => {
        if (++acked !== killAt) return;
        dead = true;
        s.child.kill('SIGKILL');
        killed();
      };
      const guard = async (fn: () => Promise<void>) => {
        try {
          await fn();
          acknowledged();
          return true;
        } catch (err) {
          // Only the kill's own consequence ends a writer quietly; a wrong answer fails the test.
          if (!dead || !isConnectionError(err)) throw err;
          failedTotal++;
          return false;
        }
      };
      const tokens = async () => {
        for (let i = 0; ; i++) {
          const ok = await guard(async () => {
            const r = await api.post('/api/v1/me/tokens', { name: `c${cycle}-${i}` });
            expect(r.status).toBe(201);
            ledger.tokens.push(r.body.id);
          });
          if (!ok) return;
        }
      };
      const enrollments = async () => {
        for (;;) {
          const ok = await guard(async () => {
            const r = await fetch(s.url + AGENT_ENROLL_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(enrollBody(enrollToken)) });
            const body = (await r.json()) as { deviceId: string };
            expect(r.status).toBe(201);
            ledger.devices.push(body.deviceId);
          });
          if (!ok) return;
        }
      };
      const seats = async (accountId: string) => {
        let held = current.get(accountId);
        for (;;) {
          const ok = await guard(async () => {
            if (held) {
              const id = held;
              ledger.deleting.add(id);
              const r = await api.del(`${base}/assignments/${id}`);
              expect(r.status).toBe(200);
              ledger.deleting.delete(id);
              ledger.assignmentsDeleted.push(id);
              held = undefined;
            } else {
              const r = await api.post(`${base}/assignments`, { lineId, accountId });
              expect(r.status, JSON.stringify(r.body)).toBe(201);
              ledger.assignmentsMade.set(r.body.id, accountId);
              held = r.body.id;
            }
          });
          if (!ok) return;
        }
      };

      await Promise.all([killer, tokens(), tokens(), enrollments(), ...people.map((p) => seats(p.accountId))]);
      expect(await s.exited, `cycle ${cycle}, seed ${seed}`).toMatchObject({ signal: 'SIGKILL' });
      await expectFilesParse(dataDir);

      s = await startBuiltServer(built.bundle, dataDir, children);
      const after = Object.assign(new Client(s.url), { cookie: admin.client.cookie });
      const where = `after kill ${cycle + 1} at write ${killAt} (seed ${seed})`;
      const tokenIds = new Set(((await after.get('/api/v1/me/tokens')).body.tokens as Array<{ id: string }>).map((t) => t.id));
      for (const id of ledger.tokens) expect(tokenIds.has(id), `token ${id} ${where}`).toBe(true);
      const deviceIds = new Set(((await after.get(`${base}/devices`)).body.devices as Array<{ id: string }>).map((d) => d.id));
      for (const id of ledger.devices) expect(deviceIds.has(id), `device ${id} ${where}`).toBe(true);
      const seatIds = new Set(((await after.get(`${base}/assignments?lineId=${lineId}`)).body.assignments as Array<{ id: string }>).map((a) => a.id));
      const deleted = new Set(ledger.assignmentsDeleted);
      for (const id of ledger.assignmentsMade.keys()) {
        if (!deleted.has(id) && !ledger.deleting.has(id)) expect(seatIds.has(id), `assignment ${id} ${where}`).toBe(true);
      }
      for (const id of deleted) expect(seatIds.has(id), `deleted assignment ${id} ${where}`).toBe(false);
      // A delete the kill cut off either happened or not; from here on the store says which.
      for (const id of ledger.deleting) if (!seatIds.has(id)) ledger.assignmentsDeleted.push(id);
      ledger.deleting.clear();
    }

    // Every kill cut writers off mid-way (each writer ends on the kill), after at least N acknowledged writes each.
    expect(failedTotal, `seed ${seed}`).toBeGreaterThan(CYCLES);
    expect(ledger.tokens.length + ledger.devices.length + ledger.assignmentsMade.size + ledger.assignmentsDeleted.length).toBeGreaterThanOrEqual(CYCLES * KILL_AFTER_MIN);
    s.child.kill('SIGTERM');
    expect(await s.exited).toMatchObject({ code: 0 });
    await expectFilesParse(dataDir);
  }, 55_000);
});

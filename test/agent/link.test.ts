// The daemon's link against a fake server that speaks the shared protocol: handshake, pushes,
// acks, idempotence, reconnect; and `check` (a real child process) seeing what the link stored.
import { promises as fs } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgentDaemon, type CronScheduler } from '../../agent/daemon/daemon.js';
import { Backoff } from '../../agent/link/backoff.js';
import { realTimers, type Timers } from '../../agent/link/timers.js';
import { systemClock } from '../../agent/clock.js';
import { readLeaseFile, writeHeldLease, writeTombstone } from '../../agent/state/lease-store.js';
import { readProducts } from '../../agent/state/products-file.js';
import { readSession } from '../../agent/state/session.js';
import { readDaemonStatus } from '../../agent/state/status-file.js';
import { silentLogger } from '../../agent/log.js';
import { agentSocketUrlFor } from '../../agent/state/config.js';
import { generateLeaseKeyPair, peekLeaseClaims, type LeaseKeyPair } from '../../shared/lease.js';
import type { InventoryItem } from '../../shared/protocol/inventory.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { inventoryHash } from '../../shared/protocol/inventory-hash.js';
import { startFakeServer, TEST_SETTINGS, type FakeConnection, type FakeServer } from './helpers/fake-server.js';
import { ensureAgentBundle, eventually, runAgent } from './helpers/run-agent.js';
import { makeEnrolledState, type TestState } from './helpers/state.js';

const ITEMS: InventoryItem[] = [{ productCode: 'ACAD', version: '2025', path: '/opt/autodesk/autocad-2025', serial: null }];

let leaseKey: LeaseKeyPair;
let server: FakeServer;
let st: TestState;
let daemon: AgentDaemon | null;
let scans: number;
let cronJobs: Array<() => void>;
let items: InventoryItem[];

beforeAll(async () => {
  leaseKey = await generateLeaseKeyPair();
  await ensureAgentBundle();
});

beforeEach(async () => {
  server = await startFakeServer({ leaseKey });
  st = await makeEnrolledState({ leaseKey, server: server.url, deviceId: 'dev_link' });
  server.registerDevice('dev_link', st.deviceKey.publicKeyX);
  daemon = null;
  scans = 0;
  cronJobs = [];
  items = ITEMS;
});

afterEach(async () => {
  await daemon?.close();
  await server.close();
  await fs.rm(st.dir, { recursive: true, force: true });
});

async function startDaemon(opts: { settings?: typeof TEST_SETTINGS; timers?: Timers } = {}): Promise<FakeConnection> {
  const connected = server.nextConnection();
  await launchDaemon(opts);
  return connected;
}

/** Starts the daemon without waiting for a welcomed connection (for a server that refuses it). */
async function launchDaemon(opts: { settings?: typeof TEST_SETTINGS; timers?: Timers } = {}): Promise<void> {
  const schedule: CronScheduler = (_expr, fn) => {
    cronJobs.push(fn);
    return { stop() {} };
  };
  daemon = new AgentDaemon({
    paths: st.paths,
    config: { ...st.config, ...(opts.settings ? { settings: opts.settings } : {}) },
    deviceKey: st.deviceKey.privateKey,
    agentVersion: '0.0.0-test',
    socketUrl: agentSocketUrlFor(server.url),
    clock: systemClock,
    logger: silentLogger,
    scan: async () => {
      scans++;
      return items;
    },
    schedule,
    ...(opts.timers ? { timers: opts.timers } : {}),
    // Reconnect at once in tests: random() = 0 gives a zero delay.
    backoff: new Backoff({ random: () => 0 }),
  });
  await daemon.start();
}

describe('agent link', () => {
  it('answers the challenge with a hello the server verifies, then reports its inventory', async () => {
    const conn = await startDaemon();
    expect(conn.helloValid).toBe(true);
    expect(conn.hello).toMatchObject({ protocol: PROTOCOL_VERSION, deviceId: 'dev_link', agentVersion: '0.0.0-test', leases: [], inventoryHash: inventoryHash(ITEMS) });
    const inv = await conn.waitFor('inventory');
    expect(inv.items).toEqual(ITEMS);
    expect(inv.hash).toBe(inventoryHash(ITEMS));
    await eventually(async () => (await readDaemonStatus(st.paths))?.connected === true);
  });

  it('stores a reconciled grant, acks it, and a revoke leaves the reason for check', async () => {
    const token = await server.lease({ dev: 'dev_link', prod: 'SW-PREMIUM' });
    const conn = await startDaemon();
    conn.send({ type: 'reconcile', id: 'rec-1', grant: [token], revoke: [], signedInAccount: { id: 'acc_alice', email: 'alice@acme.test', name: 'Alice' } });
    await conn.waitFor('ack', (a) => a.id === 'rec-1');
    expect(await readLeaseFile(st.paths, 'SW-PREMIUM')).toMatchObject({ kind: 'held', lease: { token } });
    expect((await readSession(st.paths))?.account?.email).toBe('alice@acme.test');
    expect((await runAgent(['check', 'SW-PREMIUM', '--state-dir', st.dir])).code).toBe(0);

    const jti = peekLeaseClaims(token)?.jti as string;
    conn.send({ type: 'lease.revoke', id: 'rev-1', jti, productCode: 'SW-PREMIUM', reason: 'reassigned' });
    await conn.waitFor('ack', (a) => a.id === 'rev-1');
    const r = await runAgent(['check', 'SW-PREMIUM', '--state-dir', st.dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('revoked: reassigned');
  });

  it('applies a push twice harmlessly and acks both times', async () => {
    const token = await server.lease({ dev: 'dev_link', prod: 'ACAD' });
    const conn = await startDaemon();
    conn.send({ type: 'lease.grant', id: 'g-1', token });
    await conn.waitFor('ack', (a) => a.id === 'g-1');
    const first = await fs.readFile(st.paths.lease('ACAD'), 'utf8');
    conn.send({ type: 'lease.grant', id: 'g-1', token });
    await eventually(() => conn.received.filter((m) => m.type === 'ack' && m.id === 'g-1').length === 2);
    expect(await fs.readFile(st.paths.lease('ACAD'), 'utf8')).toBe(first);

    const jti = peekLeaseClaims(token)?.jti as string;
    for (const id of ['r-1', 'r-2']) conn.send({ type: 'lease.revoke', id, jti, productCode: 'ACAD', reason: 'unassigned' });
    await conn.waitFor('ack', (a) => a.id === 'r-2');
    // a late copy of the revoked grant does not bring the lease back
    conn.send({ type: 'lease.grant', id: 'g-late', token });
    await conn.waitFor('ack', (a) => a.id === 'g-late');
    expect(await readLeaseFile(st.paths, 'ACAD')).toMatchObject({ kind: 'revoked', revoked: { jti, reason: 'unassigned' } });
  });

  it('re-verifies grants with the pinned key and refuses forged or foreign ones', async () => {
    const impostor = await startFakeServer({ leaseKey: await generateLeaseKeyPair() });
    const forged = await impostor.lease({ dev: 'dev_link', prod: 'REVIT' });
    await impostor.close();
    const otherDevice = await server.lease({ dev: 'dev_other', prod: 'REVIT' });
    const conn = await startDaemon();
    conn.send({ type: 'lease.grant', id: 'f-1', token: forged });
    conn.send({ type: 'lease.grant', id: 'f-2', token: otherDevice });
    await conn.waitFor('ack', (a) => a.id === 'f-2');
    expect(await readLeaseFile(st.paths, 'REVIT')).toEqual({ kind: 'none' });
  });

  it('answers an invalid frame with an error frame and stays connected', async () => {
    const conn = await startDaemon();
    conn.ws.send('{not json');
    conn.ws.send(JSON.stringify({ v: 1, type: 'lease.grant', id: 'bad-1', token: 42 }));
    const e1 = await conn.waitFor('error', (e) => e.code === 'FRAME_INVALID_JSON');
    const e2 = await conn.waitFor('error', (e) => e.code === 'FRAME_INVALID');
    expect(e1.code).toBe('FRAME_INVALID_JSON');
    expect(e2.ref).toBe('bad-1');
    conn.send({ type: 'inventory.request', id: 'inv-1' });
    await conn.waitFor('ack', (a) => a.id === 'inv-1');
    expect(daemon?.connected).toBe(true);
  });

  it('rescans on inventory.request and on its cron schedule', async () => {
    const conn = await startDaemon();
    await conn.waitFor('inventory');
    const before = scans;
    conn.send({ type: 'inventory.request', id: 'inv-2' });
    await conn.waitFor('ack', (a) => a.id === 'inv-2');
    expect(scans).toBe(before + 1);
    expect(conn.received.filter((m) => m.type === 'inventory')).toHaveLength(2);
    expect(cronJobs).toHaveLength(1);
    cronJobs[0]?.();
    await eventually(() => scans === before + 2);
  });

  it('records a method switch for status', async () => {
    const conn = await startDaemon();
    conn.send({ type: 'method.switch', id: 'ms-1', productCode: 'SW-PRO', method: 'serial' });
    await conn.waitFor('ack', (a) => a.id === 'ms-1');
    expect((await readProducts(st.paths))['SW-PRO']?.method).toBe('serial');
    const status = await runAgent(['status', '--json', '--state-dir', st.dir]);
    expect(JSON.parse(status.stdout).products).toEqual([
      expect.objectContaining({ productCode: 'ACAD', installed: true }),
      expect.objectContaining({ productCode: 'SW-PRO', method: 'serial', state: 'no-lease', installed: false }),
    ]);
  });

  it('applies a method switch that carries its lease change (protocol 2): the old lease goes, the new one is held, one ack', async () => {
    const old = await server.lease({ dev: 'dev_link', prod: 'SW-PREMIUM' });
    const conn = await startDaemon();
    conn.send({ type: 'lease.grant', id: 'g-old', token: old });
    await conn.waitFor('ack', (a) => a.id === 'g-old');
    const next = await server.lease({ dev: 'dev_link', prod: 'SW-PREMIUM' });
    const jti = peekLeaseClaims(old)?.jti as string;
    expect(peekLeaseClaims(next)?.jti).not.toBe(jti);
    conn.send({ type: 'method.switch', id: 'ms-2', productCode: 'SW-PREMIUM', method: 'serial', revoke: [{ jti, productCode: 'SW-PREMIUM', reason: 'method-switched' }], grant: [next] });
    await conn.waitFor('ack', (a) => a.id === 'ms-2');
    expect(await readLeaseFile(st.paths, 'SW-PREMIUM')).toMatchObject({ kind: 'held', lease: { token: next } });
    expect((await readProducts(st.paths))['SW-PREMIUM']?.method).toBe('serial');
    expect(conn.received.filter((m) => m.type === 'ack' && String(m.id).startsWith('ms-2'))).toEqual([expect.objectContaining({ id: 'ms-2' })]);
  });

  it('reconnects after the server drops it and says which leases it holds', async () => {
    const token = await server.lease({ dev: 'dev_link', prod: 'ACAD' });
    const conn = await startDaemon();
    conn.send({ type: 'lease.grant', id: 'g-2', token });
    await conn.waitFor('ack', (a) => a.id === 'g-2');
    const again = server.nextConnection();
    server.dropAll(1001);
    const conn2 = await again;
    expect(conn2.hello?.leases).toEqual([peekLeaseClaims(token)?.jti]);
    await eventually(() => daemon?.connected === true);
  });

  it('stops reconnecting after a final close (device revoked) and drops the leases it held', async () => {
    const token = await server.lease({ dev: 'dev_link', prod: 'ACAD' });
    const conn = await startDaemon();
    conn.send({ type: 'lease.grant', id: 'g-3', token });
    await conn.waitFor('ack', (a) => a.id === 'g-3');
    conn.ws.close(4003, 'device revoked');
    await eventually(async () => (await readDaemonStatus(st.paths))?.lastError?.includes('4003'));
    expect(await readLeaseFile(st.paths, 'ACAD')).toMatchObject({ kind: 'revoked', revoked: { jti: peekLeaseClaims(token)!.jti, reason: 'device-revoked' } });
    // Closed for good: no retry is scheduled, so the one connection stays the only one.
    await eventually(() => daemon?.linkClosed === true);
    expect(server.connections).toHaveLength(1);
  });

  // The server refuses the hello of a revoked device before any welcome or reconcile: the agent
  // must not keep leases that `check` would honour until they expire, nor retry forever.
  it.each([
    ['a DEVICE_REVOKED error then close 4003', { error: 'DEVICE_REVOKED', close: 4003 }],
    ['a DEVICE_REVOKED error then a retryable close', { error: 'DEVICE_REVOKED', close: 1011 }],
    ['close 4003 alone', { close: 4003 }],
  ])('drops every held lease as device-revoked and stops when the hello is refused with %s', async (_name, refusal) => {
    await server.close();
    server = await startFakeServer({ leaseKey, refuse: () => refusal });
    server.registerDevice('dev_link', st.deviceKey.publicKeyX);
    const acad = await server.lease({ dev: 'dev_link', prod: 'ACAD' });
    await writeHeldLease(st.paths, 'ACAD', acad, Date.now());
    await writeHeldLease(st.paths, 'SW-PRO', await server.lease({ dev: 'dev_link', prod: 'SW-PRO', meth: 'serial', sub: 'serial:9000-1' }), Date.now());
    await writeTombstone(st.paths, 'REVIT', { jti: 'lease_old', reason: 'reassigned', at: Date.now() });
    expect((await runAgent(['check', 'ACAD', '--state-dir', st.dir])).code).toBe(0);

    await launchDaemon();
    await eventually(async () => (await readLeaseFile(st.paths, 'SW-PRO')).kind === 'revoked' && (await readLeaseFile(st.paths, 'ACAD')).kind === 'revoked');
    expect(await readLeaseFile(st.paths, 'ACAD')).toMatchObject({ kind: 'revoked', revoked: { jti: peekLeaseClaims(acad)!.jti, reason: 'device-revoked' } });
    // A lease revoked before keeps its own reason.
    expect(await readLeaseFile(st.paths, 'REVIT')).toMatchObject({ kind: 'revoked', revoked: { reason: 'reassigned' } });
    const r = await runAgent(['check', 'ACAD', '--json', '--state-dir', st.dir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'revoked', revokeReason: 'device-revoked' });
    await eventually(async () => (await readDaemonStatus(st.paths))?.lastError?.includes('device revoked'));
    // Closed for good (no retry scheduled), after exactly one refused hello.
    await eventually(() => daemon?.linkClosed === true);
    expect(server.refused).toHaveLength(1);
    expect(server.connections).toHaveLength(0);
  });

  it('lists installed products that hold no lease in status, saying why', async () => {
    items = [...ITEMS, { productCode: 'REVIT', version: '2025', path: '/opt/autodesk/revit-2025', serial: null }, { productCode: 'SW-PREMIUM', version: '2025', path: '/opt/sw', serial: '9000-1' }];
    const conn = await startDaemon();
    conn.send({ type: 'reconcile', id: 'rec-3', grant: [await server.lease({ dev: 'dev_link', prod: 'REVIT' })], revoke: [], signedInAccount: null });
    await conn.waitFor('ack', (a) => a.id === 'rec-3');
    const byCode = async () => {
      const r = await runAgent(['status', '--json', '--state-dir', st.dir]);
      return Object.fromEntries((JSON.parse(r.stdout).products as Array<{ productCode: string }>).map((p) => [p.productCode, p]));
    };
    expect(await byCode()).toEqual({
      ACAD: expect.objectContaining({ state: 'no-lease', installed: true, detail: 'installed, not signed in' }),
      REVIT: expect.objectContaining({ state: 'valid', installed: true }),
      // serial activations need nobody signed in
      'SW-PREMIUM': expect.objectContaining({ state: 'no-lease', installed: true, detail: 'installed, no lease' }),
    });
    expect((await runAgent(['status', '--state-dir', st.dir])).stdout).toMatch(/ACAD\s+-\s+installed, not signed in/);
    conn.send({ type: 'reconcile', id: 'rec-4', grant: [], revoke: [], signedInAccount: { id: 'acc_alice', email: 'alice@acme.test', name: 'Alice' } });
    await conn.waitFor('ack', (a) => a.id === 'rec-4');
    expect((await byCode()).ACAD).toMatchObject({ detail: 'installed, no lease' });
  });

  it('asks for a new lease once a held one is past half its life', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await server.lease({ dev: 'dev_link', prod: 'SW-STD', iat: now - 40, exp: now + 20 });
    const fresh = await server.lease({ dev: 'dev_link', prod: 'SW-PRO', iat: now, exp: now + 60 });
    const conn = await startDaemon({ settings: { ...TEST_SETTINGS, leaseTtlSeconds: 60 } });
    conn.send({ type: 'reconcile', id: 'rec-2', grant: [token, fresh], revoke: [], signedInAccount: null });
    const req = await conn.waitFor('lease.request', () => true, 5000);
    expect(req.productCode).toBe('SW-STD');
    expect(conn.received.some((m) => m.type === 'lease.request' && m.productCode === 'SW-PRO')).toBe(false);
  });

  it('sleeps until the next lease falls due instead of polling the lease directory', async () => {
    const delays: number[] = [];
    const timers: Timers = { setTimeout: (fn, ms) => (delays.push(ms), realTimers.setTimeout(fn, ms)), clearTimeout: realTimers.clearTimeout };
    const now = Math.floor(Date.now() / 1000);
    // An hour's lease issued 29 minutes ago: half its life is a minute away.
    const lease = await server.lease({ dev: 'dev_link', prod: 'SW-PRO', iat: now - 29 * 60, exp: now + 31 * 60 });
    const conn = await startDaemon({ settings: { ...TEST_SETTINGS, leaseTtlSeconds: 3600 }, timers });
    const before = delays.length;
    conn.send({ type: 'reconcile', id: 'rec-9', grant: [lease], revoke: [], signedInAccount: null });
    await conn.waitFor('ack', (a) => a.id === 'rec-9');
    const dueIn = (ms: number) => ms > 55_000 && ms <= 60_000;
    await eventually(() => delays.slice(before).some(dueIn));
    // Nothing polls in between: no timer shorter than that was armed (the old tick polled every 30 s).
    expect(delays.slice(before).filter((ms) => ms > 0 && ms <= 55_000)).toEqual([]);
    expect(conn.received.some((m) => m.type === 'lease.request')).toBe(false);
  });
});

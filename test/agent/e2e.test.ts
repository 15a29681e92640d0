// The agent as a user runs it, as child processes against the fake server: enroll, the daemon,
// sign-in with a device code, a reassignment revoking the lease, sign-out, and a clean stop.
import { promises as fs } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/state/config.js';
import { readDaemonStatus } from '../../agent/state/status-file.js';
import { generateLeaseKeyPair, peekLeaseClaims, type LeaseKeyPair } from '../../shared/lease.js';
import { startFakeServer, type FakeConnection, type FakeServer } from './helpers/fake-server.js';
import { ensureAgentBundle, eventually, exited, runAgent, spawnAgent } from './helpers/run-agent.js';
import { tempDir } from './helpers/state.js';

let leaseKey: LeaseKeyPair;
let server: FakeServer;
let home: string;
let children: Array<ReturnType<typeof spawnAgent>>;
const env = () => ({ SEATKEEPER_AGENT_HOME: home, SEATKEEPER_MACHINE_ID: `test-machine-${home}` });

beforeAll(async () => {
  leaseKey = await generateLeaseKeyPair();
  await ensureAgentBundle();
});
beforeEach(async () => {
  server = await startFakeServer({ leaseKey });
  home = await tempDir('sk-e2e-');
  children = [];
});
afterEach(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await server.close();
  await fs.rm(home, { recursive: true, force: true });
});

async function enroll(...extra: string[]): Promise<string> {
  const r = await runAgent(['enroll', '--server', server.url, '--token', 'enroll-token-good', '--json', ...extra], env());
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout).deviceId as string;
}

describe('agent end to end', () => {
  it('enrolls: sends a valid body, pins the lease key, keeps the device key private', async () => {
    const deviceId = await enroll('--root', `${home}/root`);
    const body = server.enrollBodies[0] as Record<string, unknown>;
    expect(body.machineId).toMatch(/^[0-9a-f]{64}$/);
    expect(body.publicKey).toBe(server.devices.get(deviceId)?.publicKeyX);
    // The operating system as systeminformation reads it, though the bundle loads it from a bundle of its own (agent-sysinfo.cjs).
    const os = await (await import('systeminformation')).osInfo();
    expect(os.distro).not.toBe('');
    expect(body.os).toEqual({ platform: os.platform, distro: os.distro, release: os.release, arch: os.arch });
    const config = await readConfig((await import('../../agent/state/paths.js')).statePaths(home));
    expect(config?.deviceId).toBe(deviceId);
    expect(config?.leasePublicKeyJwk.x).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // --root, as for run and inventory: remembered for them.
    expect(config?.detectRoot).toBe(`${home}/root`);
    expect((await fs.stat(`${home}/device-key.json`)).mode & 0o777).toBe(0o600);

    const again = await runAgent(['enroll', '--server', server.url, '--token', 'enroll-token-good'], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already enrolled');
  });

  it('reports a refused enrollment token with its code and exit 1', async () => {
    const r = await runAgent(['enroll', '--server', server.url, '--token', 'not-the-right-token'], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ENROLLMENT_TOKEN_INVALID');
    expect((await runAgent(['check', 'ACAD'], env())).code).toBe(2);
  });

  it('runs, receives a lease, loses it on reassignment, and stops cleanly on SIGTERM', async () => {
    const deviceId = await enroll();
    const connected = server.nextConnection();
    const daemon = spawnAgent(['run'], env());
    children.push(daemon);
    const conn = await connected;
    expect(conn.helloValid).toBe(true);
    await eventually(async () => (await readDaemonStatus((await import('../../agent/state/paths.js')).statePaths(home)))?.connected);

    const token = await server.lease({ dev: deviceId, prod: 'SW-PREMIUM' });
    conn.send({ type: 'lease.grant', id: 'push-1', token });
    await conn.waitFor('ack', (a) => a.id === 'push-1');
    expect((await runAgent(['check', 'SW-PREMIUM'], env())).code).toBe(0);

    conn.send({ type: 'lease.revoke', id: 'push-2', jti: peekLeaseClaims(token)?.jti as string, productCode: 'SW-PREMIUM', reason: 'reassigned' });
    await conn.waitFor('ack', (a) => a.id === 'push-2');
    const denied = await runAgent(['check', 'SW-PREMIUM', '--json'], env());
    expect(denied.code).toBe(1);
    expect(JSON.parse(denied.stdout)).toMatchObject({ reason: 'revoked', revokeReason: 'reassigned' });

    const status = JSON.parse((await runAgent(['status', '--json'], env())).stdout);
    expect(status.daemon).toMatchObject({ connected: true, stale: false });

    daemon.kill('SIGTERM');
    expect(await exited(daemon)).toBe(0);
    expect((await conn.closed).code).toBe(1000);
    const after = JSON.parse((await runAgent(['status', '--json'], env())).stdout);
    expect(after.daemon.connected).toBe(false);
  });

  it('signs in with a device code, stores the user\'s leases, and signs out', async () => {
    const deviceId = await enroll();
    const connected = server.nextConnection();
    const login = spawnAgent(['login', '--json'], env());
    children.push(login);
    const conn: FakeConnection = await connected;
    await conn.waitFor('login.start');
    conn.send({ type: 'login.code', userCode: 'BDWP-HQPK', verificationUri: `${server.url}/device`, expiresIn: 600, interval: 5 });
    await eventually(() => login.output().stdout.includes('BDWP-HQPK'));
    expect(JSON.parse(login.output().stdout.split('\n')[0] as string)).toEqual({
      event: 'code',
      userCode: 'BDWP-HQPK',
      verificationUri: `${server.url}/device`,
      expiresIn: 600,
    });

    // As the real server does: login.done, then the device's whole picture as a reconcile.
    const alice = { id: 'acc_alice', email: 'alice@acme.test', name: 'Alice' };
    const grant = [await server.lease({ dev: deviceId, prod: 'ACAD' }), await server.lease({ dev: deviceId, prod: 'REVIT' })];
    conn.send({ type: 'login.done', account: alice });
    conn.send({ type: 'reconcile', id: 'r-login', grant, revoke: [], signedInAccount: alice });
    expect(await exited(login)).toBe(0);
    const lines = login.output().stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toEqual({ event: 'done', account: alice, products: ['ACAD', 'REVIT'] });
    // The agent acks before it exits; the frame may reach this end just after the exit is seen.
    await eventually(() => conn.received.some((m) => m.type === 'ack' && m.id === 'r-login'));
    expect((await runAgent(['check', 'REVIT'], env())).code).toBe(0);
    expect(JSON.parse((await runAgent(['status', '--json'], env())).stdout).signedIn.email).toBe('alice@acme.test');

    const outConn = server.nextConnection();
    const logout = spawnAgent(['logout', '--json'], env());
    children.push(logout);
    const c2 = await outConn;
    await c2.waitFor('logout');
    // As the real server does: the revocations, then a reconcile saying nobody is signed in, which logout waits for.
    c2.send({ type: 'reconcile', id: 'r-logout', grant: [], revoke: [], signedInAccount: null });
    expect(await exited(logout)).toBe(0);
    // The agent acks before it exits; the frame may reach this end just after the exit is seen.
    await eventually(() => c2.received.some((m) => m.type === 'ack' && m.id === 'r-logout'));
    expect(JSON.parse(logout.output().stdout)).toMatchObject({ dropped: ['ACAD', 'REVIT'], serverNotified: true });
    const r = await runAgent(['check', 'ACAD'], env());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('revoked: signed-out');
  });

  it('login exits 1 when the sign-in fails', async () => {
    await enroll();
    const connected = server.nextConnection();
    const login = spawnAgent(['login'], env());
    children.push(login);
    const conn = await connected;
    await conn.waitFor('login.start');
    conn.send({ type: 'login.failed', reason: 'code expired' });
    expect(await exited(login)).toBe(1);
    expect(login.output().stderr).toContain('sign-in failed: code expired');
  });

  it('login exits 1 when the server cannot be reached', async () => {
    await enroll();
    await server.close();
    server = await startFakeServer({ leaseKey });
    const r = await runAgent(['login', '--timeout', '5'], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sign-in failed: connection (closed|failed)/);
  });
});

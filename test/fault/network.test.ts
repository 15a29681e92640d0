// The network failing under a real agent (the daemon's own link and state code, in process) and a
// real server: a connection cut in the middle of a frame in either direction, and a client that
// stops reading while the server keeps sending. (The server unreachable for a while — check still
// 0 offline, then reconnect and reconcile — is test/e2e/resilience.test.ts, "a network drop".)
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../agent/clock.js';
import { AgentDaemon } from '../../agent/daemon/daemon.js';
import { Backoff } from '../../agent/link/backoff.js';
import { checkProduct } from '../../agent/local/check.js';
import { silentLogger } from '../../agent/log.js';
import { agentSocketUrlFor, writeConfig, type AgentConfig } from '../../agent/state/config.js';
import { readLeaseFile } from '../../agent/state/lease-store.js';
import { statePaths } from '../../agent/state/paths.js';
import type { InventoryItem } from '../../shared/protocol/inventory.js';
import { inventoryHash } from '../../shared/protocol/inventory-hash.js';
import { addMembers } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrollDevice, orgWithToken, RawAgent, waitFor, type DeviceIdentity } from '../gateway/raw-agent.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const SW: InventoryItem = { productCode: 'SW-PREMIUM', version: '2025', path: '/opt/dassault/solidworks-premium/2025', serial: null };

let server: TestServer;
let org: Awaited<ReturnType<typeof orgWithToken>>;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  // A long heartbeat: nothing but the behaviour under test closes a connection.
  server = await startTestServer({ heartbeatSeconds: 60 });
  org = await orgWithToken(server);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => server.stop());

/** A member with a seat, signed in on a freshly enrolled workstation that has SOLIDWORKS. */
async function seatedDevice(): Promise<{ dev: DeviceIdentity; assignmentId: string }> {
  const [person] = await addMembers(server, org.orgId, 1);
  const dev = await enrollDevice(server.url, org.token);
  await server.services.store.tx((t) => {
    const d = t.org(org.orgId)!.devices[dev.deviceId]!;
    d.signedInAccountId = person!.id;
    d.inventory = [SW];
    d.inventoryHash = inventoryHash([SW]);
  });
  const a = await org.admin.post(`/api/v1/orgs/${org.orgId}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: person!.id });
  expect(a.status).toBe(201);
  return { dev, assignmentId: a.body.id as string };
}

/** The agent daemon for `dev`, talking to the server through `via`. */
async function startAgent(dev: DeviceIdentity, via: string) {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'sk-net-agent-'));
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  const paths = statePaths(dir);
  const config: AgentConfig = {
    schema: 1,
    server: via,
    agentSocketUrl: agentSocketUrlFor(via),
    deviceId: dev.deviceId,
    orgId: dev.orgId,
    orgName: dev.enrollment.orgName,
    leasePublicKeyJwk: dev.enrollment.leasePublicKeyJwk,
    settings: dev.enrollment.settings,
    enrolledAt: Date.now(),
  };
  await writeConfig(paths, config);
  const daemon = new AgentDaemon({
    paths,
    config,
    deviceKey: dev.privateKey,
    agentVersion: '0.0.0-test',
    socketUrl: agentSocketUrlFor(via),
    clock: systemClock,
    logger: silentLogger,
    scan: async () => [SW],
    schedule: () => ({ stop() {} }),
    // The agent's backoff, with its jitter pinned low so the test does not wait seconds.
    backoff: new Backoff({ baseMs: 50, random: () => 0.5 }),
  });
  cleanups.push(() => daemon.close());
  await daemon.start();
  const lease = (kind: 'held' | 'revoked') => waitFor(`lease ${kind}`, async () => ((await readLeaseFile(paths, 'SW-PREMIUM')).kind === kind ? true : null), 10_000);
  const check = () => checkProduct({ paths, config, productCode: 'SW-PREMIUM', clock: systemClock });
  return { daemon, paths, lease, check };
}

async function proxy(): Promise<TcpProxy> {
  const p = await TcpProxy.start(server.port);
  cleanups.push(() => p.close());
  return p;
}

describe('network faults', () => {
  it('a revocation cut off half-way reaches the agent through the reconcile of its next connection', async () => {
    const p = await proxy();
    const { dev, assignmentId } = await seatedDevice();
    const agent = await startAgent(dev, p.url);
    await agent.lease('held');
    expect((await agent.check()).ok).toBe(true);

    // Server frames are not masked: the push is recognizable on the wire.
    const cut = p.armCut('to-agent', (chunk) => chunk.includes('"lease.revoke"'));
    expect((await org.admin.del(`/api/v1/orgs/${org.orgId}/assignments/${assignmentId}`)).status).toBe(200);
    const c = await cut;
    expect(c.forwarded).toBeLessThan(c.total);

    await agent.lease('revoked');
    expect(await agent.check()).toMatchObject({ ok: false, reason: 'revoked', revokeReason: 'unassigned' });
    await waitFor('the agent back online', () => agent.daemon.connected && server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId));
  });

  it('a hello cut off half-way leaves nothing behind on the server; the next attempt gets in', async () => {
    const p = await proxy();
    const { dev } = await seatedDevice();
    // The first WebSocket frame from the agent on a new connection is its hello (0x81: final text frame).
    const cut = p.armCut('to-server', (chunk) => chunk[0] === 0x81);
    const agent = await startAgent(dev, p.url);
    const c = await cut;
    expect(c.forwarded).toBeLessThan(c.total);
    await agent.lease('held');
    expect((await agent.check()).ok).toBe(true);
    await waitFor('online once', () => agent.daemon.connected && server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId));
    // Exactly one authenticated socket: the half hello never became a session.
    await agent.daemon.close();
    await waitFor('offline', () => !server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId));
  });

  it('drops a client that stops reading instead of buffering for it without end', async () => {
    const { dev } = await seatedDevice();
    const slow = await RawAgent.connect(server.url);
    cleanups.push(() => slow.close());
    await slow.authenticate(dev);
    await waitFor('online', () => server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId));
    const rssBefore = process.memoryUsage().rss;

    // Stop reading, then keep asking for the lease: every request is answered with a lease.grant
    // (~700 bytes) the client never takes off the wire.
    (slow.ws as unknown as { _socket: Socket })._socket.pause();
    const request = JSON.stringify({ v: 1, type: 'lease.request', productCode: 'SW-PREMIUM' });
    let sent = 0;
    const gone = () => !server.services.gateway.presence.onlineDevices(org.orgId).has(dev.deviceId);
    while (!gone() && sent < 200_000) {
      for (let i = 0; i < 500; i++) slow.ws.send(request);
      sent += 500;
      await new Promise((r) => setTimeout(r, 5));
    }
    // Dropped well before 200k requests (~140 MB of answers), and the process did not hold on to them.
    expect(gone()).toBe(true);
    expect(sent).toBeLessThan(200_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * 2 ** 20);

    // Everyone else is still served.
    const other = await seatedDevice();
    const ok = await RawAgent.connect(server.url);
    cleanups.push(() => ok.close());
    const { reconcile } = await ok.authenticate(other.dev);
    expect(reconcile.grant).toHaveLength(1);
  }, 30_000);
});

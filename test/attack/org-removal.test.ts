// The operator removes an organization (`orgs remove` through the running server): its connected
// workstations are cut off at once (an error frame, then the final close 4010), not left on open
// sockets until they reconnect; they cannot say hello again; another organization's stay connected.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeCodes, isFinalClose } from '../../shared/protocol/index.js';
import { OPERATOR_FILE, type OperatorFile } from '../../server/ops/operator-file.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrollDevice, orgWithToken, RawAgent, waitFor, type DeviceIdentity } from '../gateway/raw-agent.js';

let server: TestServer;
const agents: RawAgent[] = [];
beforeAll(async () => {
  server = await startTestServer({ heartbeatSeconds: 30, agents: { helloTimeoutMs: 5000, maxBadFramesPerMinute: 20, resendAfterMs: 60_000 } });
});
afterEach(() => {
  for (const a of agents.splice(0)) a.close();
});
afterAll(() => server.stop());

async function online(dev: DeviceIdentity) {
  const a = await RawAgent.connect(server.url);
  agents.push(a);
  const { reconcile } = await a.authenticate(dev);
  a.send({ type: 'ack', id: reconcile.id });
  return a;
}

async function removeAsOperator(orgId: string, name: string) {
  const { token } = JSON.parse(await readFile(join(server.dataDir, OPERATOR_FILE), 'utf8')) as OperatorFile;
  return new Client(server.url).req('DELETE', `/api/v1/operator/orgs/${orgId}?confirm=${encodeURIComponent(name)}`, undefined, { authorization: `Operator ${token}` });
}

describe('removing an organization with workstations online', () => {
  it('closes its sockets at once with a final close, refuses their hello after, and leaves other organizations connected', async () => {
    const gone = await orgWithToken(server);
    const kept = await orgWithToken(server);
    const [g1, g2, k1] = [await enrollDevice(server.url, gone.token), await enrollDevice(server.url, gone.token), await enrollDevice(server.url, kept.token)];
    const [a1, a2, b1] = [await online(g1!), await online(g2!), await online(k1!)];
    // One more socket of the removed organization's device that has not said hello yet.
    const pending = await RawAgent.connect(server.url);
    agents.push(pending);
    const challenge = await pending.next('challenge');
    expect(server.services.gateway.presence.onlineDevices(gone.orgId).size).toBe(2);

    const r = await removeAsOperator(gone.orgId, gone.name);
    expect(r.status).toBe(200);

    for (const a of [a1, a2]) {
      // Told why, then closed for good (the agent stops reconnecting to an organization that is gone).
      const err = await a.next('error');
      expect(err.code).toBe('NOT_FOUND');
      expect(err.message).toMatch(/organization was removed/);
      expect(await a.closed).toEqual({ code: closeCodes.ORG_REMOVED.code, reason: 'organization removed' });
    }
    expect(isFinalClose(closeCodes.ORG_REMOVED.code)).toBe(true);
    await waitFor('the removed organization to be offline', () => server.services.gateway.presence.onlineDevices(gone.orgId).size === 0);

    // A hello after the removal, on a socket opened before it or after: refused like an unknown device.
    pending.send(pending.hello(g1!, challenge.nonce));
    expect((await pending.next('error')).code).toBe('UNAUTHENTICATED');
    expect((await pending.closed).code).toBe(closeCodes.AUTH_FAILED.code);
    const again = await RawAgent.connect(server.url);
    agents.push(again);
    again.send(again.hello(g2!, (await again.next('challenge')).nonce));
    expect((await again.next('error')).code).toBe('UNAUTHENTICATED');
    expect((await again.closed).code).toBe(closeCodes.AUTH_FAILED.code);
    expect(again.all('welcome')).toEqual([]);

    // The other organization's workstation was not touched: still open and answered.
    expect(b1.ws.readyState).toBe(b1.ws.OPEN);
    expect(b1.all('error')).toEqual([]);
    expect([...server.services.gateway.presence.onlineDevices(kept.orgId)]).toEqual([k1!.deviceId]);
    b1.send({ type: 'lease.request', id: 'req-after-removal', productCode: 'SW-PREMIUM' });
    const answer = await b1.next();
    expect(answer.type).not.toBe('welcome');
    expect(b1.ws.readyState).toBe(b1.ws.OPEN);
  });
});

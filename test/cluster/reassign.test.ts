// A seat reassigned on node A of three: the old holder's agent, connected to node C, is revoked
// over its open socket; the new holder's agent, connected to node B, is granted — both pushed by
// the node that holds the socket, from the change records node A committed. Leases are signed
// with the cluster's one key, so a grant from any node verifies on an agent enrolled anywhere. A
// workstation revoked on node A is told and cut off by the node it is connected to.
import { describe, expect, it } from 'vitest';
import { until } from '../e2e/workstation.js';
import { activateOn, clusterSuite, on } from './cluster.js';

const cluster = clusterSuite();

describe('a reassign on one node of three', () => {
  it("revokes the old holder's agent on node C, grants the new holder's on node B, and cuts off a device revoked on node A", async () => {
    const org = await cluster.orgOn(1);
    const [a, b, c] = await Promise.all([cluster.startNode(org.databaseUrl), cluster.startNode(org.databaseUrl), cluster.startNode(org.databaseUrl)]);
    const o = await cluster.setUp(org, a!);
    const [oldHolder, newHolder] = [await o.member(), await o.member()];
    const wsOld = await cluster.station('old');
    const wsNew = await cluster.station('new');
    // The token and the sessions were made on node A: the others read them in (NOTIFY or the next poll).
    for (const [ws, n] of [[wsOld, c!], [wsNew, b!]] as const) {
      const r = await until('the node knows the enrollment token', async () => {
        const run = await ws.run(['enroll', '--server', n.url, '--token', o.token, '--json']);
        return run.code === 0 && run;
      }, 20_000, 200);
      ws.deviceId = JSON.parse(r.stdout).deviceId;
    }
    await wsOld.start();
    await wsNew.start();
    // Each person types their code on the node their workstation talks to (any node would do).
    await wsOld.login(activateOn(c!, oldHolder.client));
    await wsNew.login(activateOn(b!, newHolder.client));

    const assigned = await o.admin.post(`${o.base}/assignments`, { lineId: o.lineId, accountId: oldHolder.accountId });
    expect(assigned.status).toBe(201);
    // Granted on node A, pushed by node C.
    const held = await wsOld.waitLease('SW-PREMIUM', 'held', 20_000);
    expect(held.kind).toBe('held');
    expect((await wsOld.check('SW-PREMIUM')).json).toMatchObject({ mayRun: true, method: 'named-user' });
    expect((await wsNew.check('SW-PREMIUM')).code).toBe(1);

    const reassigned = await on(a!, o.admin).post(`${o.base}/assignments/${assigned.body.id}/reassign`, { accountId: newHolder.accountId });
    expect(reassigned.status).toBe(200);
    await wsOld.waitLease('SW-PREMIUM', 'revoked', 20_000);
    const denied = await wsOld.check('SW-PREMIUM');
    expect(denied.code).toBe(1);
    expect(denied.json).toMatchObject({ mayRun: false, reason: 'revoked', revokeReason: 'reassigned' });
    await wsNew.waitLease('SW-PREMIUM', 'held', 20_000);
    const ok = await wsNew.check('SW-PREMIUM');
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ mayRun: true, method: 'named-user' });

    // The new holder's workstation revoked on node A: node B tells its agent and cuts it off.
    const revoked = await on(a!, o.admin).post(`${o.base}/devices/${wsNew.deviceId}/revoke`, {});
    expect(revoked.status).toBe(200);
    await wsNew.waitLease('SW-PREMIUM', 'revoked', 20_000);
    expect((await wsNew.check('SW-PREMIUM')).json).toMatchObject({ mayRun: false, reason: 'revoked', revokeReason: 'device-revoked' });
    await wsNew.waitConnected(false, 20_000);
  }, 180_000);
});

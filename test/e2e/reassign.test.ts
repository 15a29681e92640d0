// Story 1: two workstations; a seat assigned to A, who signs in with the device code; the seat
// reassigned to B takes the product away from A by a push over A's open connection (how fast is
// measured by the benchmarks, not here) and B signs in and gets it.
import { describe, expect, it } from 'vitest';
import { e2eOrg, e2eSuite } from './setup.js';
import { until } from './workstation.js';

const suite = e2eSuite();

describe('reassigning a seat between two workstations', () => {
  it("moves the product from A's workstation to B's: A may not run it once told, B signs in and may", async () => {
    const server = suite.server;
    const org = await e2eOrg(server);
    const [a, b] = await org.people(2);
    const wsA = await suite.station('a');
    const wsB = await suite.station('b');
    for (const ws of [wsA, wsB]) {
      await ws.install('SW-PREMIUM');
      await ws.enroll(server.url, org.token);
      await ws.start();
    }
    const assigned = await org.admin.post(`${org.base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: a!.id });
    expect(assigned.status).toBe(201);
    expect((await wsA.check('SW-PREMIUM')).code).toBe(1);

    const login = await wsA.login(org.activate(a!));
    expect(login.events.map((e) => e.event)).toEqual(['code', 'done']);
    expect(login.events[0]!.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(login.events[1]).toMatchObject({ account: { id: a!.id, email: a!.email }, products: ['SW-PREMIUM'] });
    const okA = await wsA.check('SW-PREMIUM');
    expect(okA.code).toBe(0);
    expect(okA.json).toMatchObject({ mayRun: true, method: 'named-user' });
    const devices = await org.admin.get(`${org.base}/devices`);
    const viewA = devices.body.devices.find((d: { id: string }) => d.id === wsA.deviceId);
    expect(viewA).toMatchObject({ online: true, signedInAccount: { email: a!.email }, leases: [{ productCode: 'SW-PREMIUM', subject: a!.id }] });
    expect(viewA.inventory.map((i: { productCode: string }) => i.productCode)).toEqual(['SW-PREMIUM']);

    const reassigned = await org.admin.post(`${org.base}/assignments/${assigned.body.id}/reassign`, { accountId: b!.id });
    expect(reassigned.status).toBe(200);
    await wsA.waitLease('SW-PREMIUM', 'revoked');
    const deniedA = await wsA.check('SW-PREMIUM');
    expect(deniedA.code).toBe(1);
    expect(deniedA.json).toMatchObject({ mayRun: false, reason: 'revoked', revokeReason: 'reassigned' });
    expect((await wsA.run(['check', 'SW-PREMIUM'])).stdout).toContain('reassigned');

    expect((await wsB.check('SW-PREMIUM')).code).toBe(1);
    const loginB = await wsB.login(org.activate(b!));
    expect(loginB.events.at(-1)).toMatchObject({ event: 'done', products: ['SW-PREMIUM'] });
    const okB = await wsB.check('SW-PREMIUM');
    expect(okB.code).toBe(0);
    // In use now: B's lease only, held by an online workstation.
    await until('in use = 1', () => server.services.gateway.presence.inUseByLine(org.orgId)[org.line('SW-PREMIUM').id] === 1);
  });
});

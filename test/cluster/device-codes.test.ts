// Device sign-in across nodes: the code a workstation connected to node A shows is typed on node B
// (codes are kept in the database, hashed), and the workstation is signed in; a code is taken once,
// whichever nodes it is typed on, and a wrong code is refused on every node.
import { describe, expect, it } from 'vitest';
import { until } from '../e2e/workstation.js';
import { activateOn, clusterSuite, on } from './cluster.js';

const cluster = clusterSuite();

describe('a device code shown by a workstation on one node', () => {
  it('is completed on another node, once, and the workstation is signed in and granted its seat', async () => {
    const org = await cluster.orgOn(2);
    const [a, b] = await Promise.all([cluster.startNode(org.databaseUrl), cluster.startNode(org.databaseUrl)]);
    const o = await cluster.setUp(org, a!);
    const person = await o.member();
    const other = await o.member();
    const assigned = await o.admin.post(`${o.base}/assignments`, { lineId: o.lineId, accountId: person.accountId });
    expect(assigned.status).toBe(201);
    const ws = await cluster.station('on-a');
    const r = await until('node A knows the enrollment token', async () => {
      const run = await ws.run(['enroll', '--server', a!.url, '--token', o.token, '--json']);
      return run.code === 0 && run;
    }, 20_000, 200);
    ws.deviceId = JSON.parse(r.stdout).deviceId;
    await ws.start();

    let typed = '';
    const login = await ws.login(async (userCode) => {
      typed = userCode;
      // A wrong code is refused on either node.
      const wrong = await on(b!, other.client).post('/api/v1/device-codes/activate', { userCode: 'AAAA-AAAA' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.code).toBe('DEVICE_CODE_INVALID');
      // Typed on node B, though the workstation's socket is on node A.
      await activateOn(b!, person.client)(userCode);
      // Taken once: the same code typed again, on node A this time, is refused.
      const again = await on(a!, other.client).post('/api/v1/device-codes/activate', { userCode });
      expect(again.body.error?.code).toBe('DEVICE_CODE_INVALID');
    });
    expect(login.code).toBe(0);
    expect(typed).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await ws.waitLease('SW-PREMIUM', 'held', 20_000);
    expect((await ws.check('SW-PREMIUM')).json).toMatchObject({ mayRun: true, method: 'named-user' });
    const device = await on(b!, o.admin).get(`${o.base}/devices`);
    expect(device.body.devices.find((d: { id: string }) => d.id === ws.deviceId)).toMatchObject({ signedInAccount: { id: person.accountId } });
  }, 180_000);
});

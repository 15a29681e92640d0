import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { owner, registered } from '../helpers/client.js';
import { addMembers } from '../helpers/fixtures.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let clock = Date.UTC(2025, 5, 1);
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { clock: () => clock });
});
afterAll(() => server.stop());

describe('audit log', () => {
  it('answers newest first, filtered by time, actor, target and action, with a bounded limit', async () => {
    const org = await seedOrg(server);
    const admin = await owner(server.url, org);
    const base = `/api/v1/orgs/${org.orgId}`;
    const people = await addMembers(server, org.orgId, 3);
    const lineId = org.line('SW-PREMIUM').id;
    const made = [];
    for (const p of people) {
      clock += 60_000;
      made.push((await admin.client.post(`${base}/assignments`, { lineId, accountId: p.id })).body);
    }
    clock += 60_000;
    await admin.client.del(`${base}/assignments/${made[0].id}`);

    const all = await admin.client.get(`${base}/audit`);
    expect(all.status).toBe(200);
    const actions = all.body.events.map((e: { action: string }) => e.action);
    expect(actions.slice(0, 4)).toEqual(['assignment.delete', 'assignment.create', 'assignment.create', 'assignment.create']);
    expect(actions).toContain('org.claim');
    const times = all.body.events.map((e: { at: number }) => e.at);
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const creates = await admin.client.get(`${base}/audit?action=assignment.create`);
    expect(creates.body.events.map((e: { target: string }) => e.target)).toEqual(made.map((m) => m.id).reverse());
    const t0 = made[0].assignedAt;
    const window = await admin.client.get(`${base}/audit?from=${t0 + 1}&to=${t0 + 60_000}`);
    expect(window.body.events.map((e: { target: string }) => e.target)).toEqual([made[1].id]);
    const iso = await admin.client.get(`${base}/audit?from=${new Date(t0 + 1).toISOString()}&action=assignment.create`);
    expect(iso.body.events).toHaveLength(2);
    const byTarget = await admin.client.get(`${base}/audit?target=${made[0].id}`);
    expect(byTarget.body.events.map((e: { action: string }) => e.action)).toEqual(['assignment.delete', 'assignment.create']);
    expect(byTarget.body.events[0]).toMatchObject({ before: { accountId: people[0]!.id }, after: null });
    const byActor = await admin.client.get(`${base}/audit?actor=${admin.accountId}&limit=2`);
    expect(byActor.body.events).toHaveLength(2);
    expect(byActor.body.events.every((e: { actor: string }) => e.actor === admin.accountId)).toBe(true);
    expect((await admin.client.get(`${base}/audit?limit=1000`)).status).toBe(200);
    expect((await admin.client.get(`${base}/audit?limit=1001`)).status).toBe(400);
    expect((await admin.client.get(`${base}/audit?limit=0`)).status).toBe(400);
    expect((await admin.client.get(`${base}/audit?from=yesterday`)).status).toBe(400);
  });

  it('is for administrators only and never shows secrets', async () => {
    const org = await seedOrg(server);
    const admin = await owner(server.url, org);
    const member = await registered(server.url, { serial: org.serial });
    expect((await member.client.get(`/api/v1/orgs/${org.orgId}/audit`)).status).toBe(403);
    const r = await admin.client.get(`/api/v1/orgs/${org.orgId}/audit`);
    expect(JSON.stringify(r.body)).not.toMatch(/passwordHash|tokenHash|scrypt\$/);
  });
});

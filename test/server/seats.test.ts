import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { owner, registered } from '../helpers/client.js';
import { addMembers, addTeam } from '../helpers/fixtures.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const DAY = 24 * 3600 * 1000;

describe('seat summary', () => {
  it('reports owned, assigned, in use and free per product and per line', async () => {
    const org = await seedOrg(server);
    const admin = await owner(server.url, org);
    const base = `/api/v1/orgs/${org.orgId}`;
    const people = await addMembers(server, org.orgId, 4);
    for (const p of people) await admin.client.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: p.id });
    const ended = await admin.client.post(`${base}/contracts`, {
      number: 'C-old',
      serials: [`OLD-${process.pid}-${Math.floor(Math.random() * 1e9)}`],
      startsAt: Date.now() - 400 * DAY,
      endsAt: Date.now() - DAY,
      lines: [{ productCode: 'SW-PREMIUM', seats: 99, method: 'named-user' }],
    });
    const extra = await admin.client.post(`${base}/contracts`, {
      number: 'C-new',
      serials: [`NEW-${process.pid}-${Math.floor(Math.random() * 1e9)}`],
      endsAt: Date.now() + DAY,
      lines: [{ productCode: 'SW-PREMIUM', seats: 2, method: 'named-user' }],
    });
    const inUse = vi
      .spyOn(server.services.gateway.presence, 'inUseByLine')
      .mockImplementation((orgId) => (orgId === org.orgId ? { [org.line('SW-PREMIUM').id]: 3, [org.line('ACAD').id]: 2, [ended.body.lines[0].id]: 1 } : {}));
    try {
      const r = await admin.client.get(`${base}/seats`);
      expect(r.status).toBe(200);
      const product = (code: string) => r.body.products.find((p: { productCode: string }) => p.productCode === code);
      expect(product('SW-PREMIUM')).toEqual({ productCode: 'SW-PREMIUM', productName: 'SOLIDWORKS Premium', kind: 'desktop', owned: 12, assigned: 4, inUse: 3, free: 8 });
      expect(product('ACAD')).toMatchObject({ owned: 5, assigned: 0, inUse: 2, free: 5 });
      expect(product('BIM-COLLAB')).toMatchObject({ kind: 'service', owned: 3, free: 3 });
      const line = (id: string) => r.body.lines.find((l: { lineId: string }) => l.lineId === id);
      expect(line(ended.body.lines[0].id)).toMatchObject({ active: false, owned: 99, inUse: 1, contractNumber: 'C-old' });
      expect(line(extra.body.lines[0].id)).toMatchObject({ active: true, owned: 2, assigned: 0, free: 2 });
      expect(line(org.line('ACAD').id)).toMatchObject({ method: 'serial', owned: 5, inUse: 2 });
    } finally {
      inUse.mockRestore();
    }
  });

  it('is for administrators only', async () => {
    const org = await seedOrg(server);
    await owner(server.url, org);
    const member = await registered(server.url, { serial: org.serial });
    const r = await member.client.get(`/api/v1/orgs/${org.orgId}/seats`);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
  });
});

describe('my products', () => {
  it("lists a member's seats with contract and method, and the organization's serial-activated products", async () => {
    const org = await seedOrg(server);
    const admin = await owner(server.url, org);
    const base = `/api/v1/orgs/${org.orgId}`;
    const me = await registered(server.url, { serial: org.serial });
    const before = await me.client.get(`${base}/me/products`);
    expect(before.status).toBe(200);
    expect(before.body.products.map((p: { productCode: string; access: string }) => `${p.productCode}:${p.access}`)).toEqual(['ACAD:serial']);
    expect(before.body.products[0].note).toMatch(/enrolled devices activated with the contract's serial/);

    await admin.client.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: me.accountId });
    await admin.client.post(`${base}/assignments`, { lineId: org.line('BIM-COLLAB').id, accountId: me.accountId });
    const after = await me.client.get(`${base}/me/products`);
    const byCode = Object.fromEntries(after.body.products.map((p: { productCode: string }) => [p.productCode, p]));
    expect(Object.keys(byCode).sort()).toEqual(['ACAD', 'BIM-COLLAB', 'SW-PREMIUM']);
    expect(byCode['SW-PREMIUM']).toMatchObject({
      productName: 'SOLIDWORKS Premium',
      contractNumber: org.contract.number,
      method: 'named-user',
      access: 'assigned',
      active: true,
    });
    expect(byCode['SW-PREMIUM'].assignedAt).toEqual(expect.any(Number));
    expect(byCode['BIM-COLLAB']).toMatchObject({ kind: 'service', needsProjectMembership: true, projectMember: false });
    expect(byCode['BIM-COLLAB'].note).toMatch(/added to the project team/);
    expect(byCode['SW-PREMIUM'].projectMember).toBeNull();
    await addTeam(server, org.orgId, { name: 'Tower project', memberIds: [me.accountId], contractIds: [org.contract.id] });
    const inTeam = (await me.client.get(`${base}/me/products`)).body.products.find((p: { productCode: string }) => p.productCode === 'BIM-COLLAB');
    expect(inTeam).toMatchObject({ projectMember: true });
    expect(inTeam.note).toMatch(/You are a member of the project team/);
    // someone else's seat is not mine
    const other = await registered(server.url, { serial: org.serial });
    expect((await other.client.get(`${base}/me/products`)).body.products).toHaveLength(1);
  });
});

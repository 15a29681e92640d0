import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntitlementChange } from '../../server/core/events.js';
import { owner, registered } from '../helpers/client.js';
import { addMembers, addTeam, clientFor } from '../helpers/fixtures.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const DAY = 24 * 3600 * 1000;
let k = 0;
const serial = () => `NEW-${process.pid}-${++k}-${Math.floor(Math.random() * 1e6)}`;

async function setup() {
  const org = await seedOrg(server);
  const admin = await owner(server.url, org);
  const base = `/api/v1/orgs/${org.orgId}`;
  return { org, admin: admin.client, adminId: admin.accountId, base };
}

function entitlements(): EntitlementChange[] {
  const seen: EntitlementChange[] = [];
  server.services.events.on('entitlements', (e) => seen.push(e));
  return seen;
}

describe('products', () => {
  it("lists the organization's catalog with kind and the two-tier flag", async () => {
    const { org, base } = await setup();
    const member = await registered(server.url, { serial: org.serial });
    const r = await member.client.get(`${base}/products`);
    expect(r.status).toBe(200);
    expect(r.body.products.find((p: { code: string }) => p.code === 'BIM-COLLAB')).toEqual({
      code: 'BIM-COLLAB',
      name: 'BIM Collaborate Pro',
      vendor: 'Autodesk',
      kind: 'service',
      needsProjectMembership: true,
    });
    expect(r.body.products[0]).not.toHaveProperty('detect');
  });
});

describe('contracts', () => {
  it('lists contracts with lines, serials, term and active flag', async () => {
    const { org, admin, base } = await setup();
    const r = await admin.get(`${base}/contracts`);
    expect(r.status).toBe(200);
    expect(r.body.contracts).toHaveLength(1);
    const c = r.body.contracts[0];
    expect(c).toMatchObject({ id: org.contract.id, number: org.contract.number, serials: [org.serial], active: true });
    expect(c.lines.map((l: { productCode: string; seats: number; method: string; assigned: number }) => [l.productCode, l.seats, l.method, l.assigned])).toEqual([
      ['SW-PREMIUM', 10, 'named-user', 0],
      ['ACAD', 5, 'serial', 0],
      ['BIM-COLLAB', 3, 'named-user', 0],
    ]);
    expect((await admin.get(`${base}/contracts/${org.contract.id}`)).body).toEqual(c);
    expect((await admin.get(`${base}/contracts/con_nope`)).body.error.code).toBe('NOT_FOUND');
  });

  it('creates a contract whose serial then links new registrations to the organization', async () => {
    const { org, admin, base } = await setup();
    const s = serial();
    const r = await admin.post(`${base}/contracts`, {
      number: 'C-2026',
      serials: [s.toLowerCase()],
      endsAt: Date.now() + 365 * DAY,
      lines: [{ productCode: 'REVIT', seats: 4, method: 'named-user' }],
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ number: 'C-2026', serials: [s], active: true, lines: [{ productCode: 'REVIT', seats: 4, method: 'named-user', assigned: 0 }] });
    expect(server.services.store.global().serials[s]).toBe(org.orgId);
    const newcomer = await registered(server.url, { serial: s });
    expect((await newcomer.client.get('/api/v1/me')).body.orgs[0].orgId).toBe(org.orgId);
  });

  it('refuses a serial that belongs to any organization with 409 CONFLICT, changing nothing', async () => {
    const { admin, base, org } = await setup();
    const other = await seedOrg(server);
    const before = JSON.stringify(server.services.store.org(org.orgId));
    for (const taken of [other.serial, org.serial]) {
      const r = await admin.post(`${base}/contracts`, { number: `C-x-${taken}`, serials: [serial(), taken], endsAt: Date.now() + DAY, lines: [] });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('CONFLICT');
      expect(r.body.error.message).toContain(taken);
    }
    expect(JSON.stringify(server.services.store.org(org.orgId))).toBe(before);
  });

  it.each([
    ['an unknown product', { lines: [{ productCode: 'NOPE', seats: 1, method: 'serial' }] }, 400, 'VALIDATION_FAILED'],
    ['negative seats', { lines: [{ productCode: 'ACAD', seats: -1, method: 'serial' }] }, 400, 'VALIDATION_FAILED'],
    ['an end before the start', { startsAt: Date.now(), endsAt: Date.now() - DAY }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { discount: 50 }, 400, 'VALIDATION_FAILED'],
    ['an over-long number', { number: 'x'.repeat(65) }, 400, 'VALIDATION_FAILED'],
  ])('refuses %s', async (_l, over, status, code) => {
    const { admin, base } = await setup();
    const r = await admin.post(`${base}/contracts`, { number: 'C-bad', serials: [serial()], endsAt: Date.now() + DAY, lines: [], ...over });
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
  });

  it('lets only administrators change contracts', async () => {
    const { org, base } = await setup();
    const member = await registered(server.url, { serial: org.serial });
    const r = await member.client.post(`${base}/contracts`, { number: 'C-m', serials: [serial()], endsAt: Date.now() + DAY, lines: [] });
    expect(r.status).toBe(403);
    expect((await member.client.patch(`${base}/contracts/${org.contract.id}`, { endsAt: Date.now() })).status).toBe(403);
    expect((await member.client.get(`${base}/contracts`)).status).toBe(403);
  });

  it('adds serials and changes the term; the method of a line cannot be changed here', async () => {
    const { org, admin, base } = await setup();
    const s = serial();
    const r = await admin.patch(`${base}/contracts/${org.contract.id}`, { addSerials: [s], endsAt: Date.now() + 900 * DAY });
    expect(r.status).toBe(200);
    expect(r.body.serials).toEqual([org.serial, s]);
    expect(server.services.store.global().serials[s]).toBe(org.orgId);
    const method = await admin.patch(`${base}/contracts/${org.contract.id}/lines/${org.line('ACAD').id}`, { seats: 5, method: 'named-user' });
    expect(method.status).toBe(400);
    expect(method.body.error.message).toMatch(/method switch/);
    expect((await admin.patch(`${base}/contracts/${org.contract.id}`, { method: 'named-user' })).status).toBe(400);
    expect((await admin.patch(`${base}/contracts/${org.contract.id}`, {})).status).toBe(400);
    expect(server.services.store.org(org.orgId)!.contracts[org.contract.id]!.lines.find((l) => l.productCode === 'ACAD')!.method).toBe('serial');
  });

  it('ending a contract tells the gateway to revoke its lines, and its seats can no longer be assigned', async () => {
    const { org, admin, base, adminId } = await setup();
    const seen = entitlements();
    const r = await admin.patch(`${base}/contracts/${org.contract.id}`, { startsAt: Date.now() - 30 * DAY, endsAt: Date.now() - 1000 });
    expect(r.status).toBe(200);
    expect(r.body.active).toBe(false);
    expect(seen).toContainEqual({ orgId: org.orgId, reason: 'contract-ended', lineIds: org.contract.lines.map((l) => l.id) });
    const a = await admin.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: adminId });
    expect(a.status).toBe(409);
    expect(a.body.error.code).toBe('CONTRACT_NOT_ACTIVE');
    const audit = await server.services.store.queryAudit(org.orgId, { action: 'contract.end' });
    expect(audit[0]).toMatchObject({ actor: adminId, target: org.contract.id });
  });

  it('adds a line and changes seats, never below the seats assigned', async () => {
    const { org, admin, base } = await setup();
    const add = await admin.post(`${base}/contracts/${org.contract.id}/lines`, { productCode: 'SW-STD', seats: 3, method: 'named-user' });
    expect(add.status).toBe(201);
    const line = add.body.lines.find((l: { productCode: string }) => l.productCode === 'SW-STD');
    expect(line).toMatchObject({ seats: 3, method: 'named-user', assigned: 0 });
    const people = await addMembers(server, org.orgId, 3);
    for (const p of people) expect((await admin.post(`${base}/assignments`, { lineId: line.id, accountId: p.id })).status).toBe(201);
    const down = await admin.patch(`${base}/contracts/${org.contract.id}/lines/${line.id}`, { seats: 1 });
    expect(down.status).toBe(409);
    expect(down.body.error.code).toBe('SEAT_LIMIT_REACHED');
    expect(down.body.error.message).toMatch(/3 seats of SOLIDWORKS Standard .* are assigned; unassign 2 before reducing the line to 1/);
    const up = await admin.patch(`${base}/contracts/${org.contract.id}/lines/${line.id}`, { seats: 7 });
    expect(up.status).toBe(200);
    expect(up.body.lines.find((l: { id: string }) => l.id === line.id)).toMatchObject({ seats: 7, assigned: 3 });
    expect((await admin.patch(`${base}/contracts/${org.contract.id}/lines/lin_nope`, { seats: 1 })).status).toBe(404);
  });

  it('shows a team admin only the contracts attached to their teams', async () => {
    const { org, admin, base } = await setup();
    const s = serial();
    const second = await admin.post(`${base}/contracts`, { number: 'C-team', serials: [s], endsAt: Date.now() + DAY, lines: [] });
    const [ta] = await addMembers(server, org.orgId, 1);
    await addTeam(server, org.orgId, { adminIds: [ta!.id], contractIds: [second.body.id] });
    const c = await clientFor(server, ta!.id);
    const list = await c.get(`${base}/contracts`);
    expect(list.status).toBe(200);
    expect(list.body.contracts.map((x: { id: string }) => x.id)).toEqual([second.body.id]);
    expect((await c.get(`${base}/contracts/${org.contract.id}`)).status).toBe(403);
    expect((await c.patch(`${base}/contracts/${second.body.id}`, { endsAt: Date.now() })).status).toBe(403);
  });

  it('accepts ISO 8601 dates for the term', async () => {
    const { admin, base } = await setup();
    const r = await admin.post(`${base}/contracts`, { number: 'C-iso', serials: [serial()], startsAt: '2020-01-01T00:00:00Z', endsAt: '2099-12-31T00:00:00Z', lines: [] });
    expect(r.status).toBe(201);
    expect(r.body.startsAt).toBe(Date.UTC(2020, 0, 1));
    expect(r.body.active).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { EntitlementChange, FeedItem } from '../../server/core/events.js';
import { registered } from '../helpers/client.js';
import { addMembers, addTeam, clientFor } from '../helpers/fixtures.js';
import { PERMISSIONS, serverWithSmtp } from '../helpers/mail-suite.js';
import { ownedOrg, seedOrg, type TestServer } from '../helpers/server.js';
import type { TestSmtp } from '../helpers/smtp.js';

let server: TestServer;
let smtp: TestSmtp;
serverWithSmtp((started) => ({ server, smtp } = started));

async function setup() {
  const { org, o: admin, base } = await ownedOrg(server);
  const entitlements: EntitlementChange[] = [];
  const feed: FeedItem[] = [];
  server.services.events.on('entitlements', (e) => e.orgId === org.orgId && entitlements.push(e));
  server.services.events.on('feed', (e) => e.orgId === org.orgId && feed.push(e));
  return { org, admin: admin.client, adminId: admin.accountId, base, entitlements, feed };
}

describe('assign', () => {
  it('assigns a seat, tells the gateway, feeds the dashboard, mails the member and audits it', async () => {
    const { org, admin, adminId, base, entitlements, feed } = await setup();
    const alice = await registered(server.url, { serial: org.serial, name: 'Alice' });
    const line = org.line('SW-PREMIUM');
    const r = await admin.post(`${base}/assignments`, { lineId: line.id, accountId: alice.accountId });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      lineId: line.id,
      contractId: org.contract.id,
      contractNumber: org.contract.number,
      productCode: 'SW-PREMIUM',
      productName: 'SOLIDWORKS Premium',
      method: 'named-user',
      accountId: alice.accountId,
      email: alice.email,
      assignedBy: adminId,
    });
    expect(entitlements).toEqual([{ orgId: org.orgId, accountIds: [alice.accountId] }]);
    expect(feed).toContainEqual(expect.objectContaining({ kind: 'assignment', productCode: 'SW-PREMIUM', accountId: alice.accountId }));
    const mail = await smtp.waitFor((m) => m.to.includes(alice.email) && m.subject === PERMISSIONS);
    expect(mail.subject).toBe(PERMISSIONS);
    expect(mail.text).toContain('SOLIDWORKS Premium');
    expect(mail.text).toContain(org.contract.number);
    const [event] = await server.services.store.queryAudit(org.orgId, { action: 'assignment.create', target: r.body.id });
    expect(event).toMatchObject({ actor: adminId, before: null, after: { id: r.body.id, lineId: line.id, accountId: alice.accountId, productCode: 'SW-PREMIUM' } });
  });

  it('refuses a second seat of the same line with ALREADY_ASSIGNED', async () => {
    const { org, admin, adminId, base } = await setup();
    const lineId = org.line('SW-PREMIUM').id;
    expect((await admin.post(`${base}/assignments`, { lineId, accountId: adminId })).status).toBe(201);
    const again = await admin.post(`${base}/assignments`, { lineId, accountId: adminId });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_ASSIGNED');
  });

  it('gives exactly 10 of 50 concurrent requests a seat of a 10-seat line; the other 40 get 409', async () => {
    const { org, admin, base } = await setup();
    const people = await addMembers(server, org.orgId, 50);
    const lineId = org.line('SW-PREMIUM').id;
    const replies = await Promise.all(people.map((p) => admin.post(`${base}/assignments`, { lineId, accountId: p.id })));
    const ok = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status === 409);
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(40);
    expect(new Set(refused.map((r) => r.body.error.code))).toEqual(new Set(['SEAT_LIMIT_REACHED']));
    expect(refused[0]!.body.error.message).toMatch(/All 10 seats of SOLIDWORKS Premium/);
    const held = Object.values(server.services.store.org(org.orgId)!.assignments).filter((a) => a.lineId === lineId);
    expect(held.map((a) => a.accountId).sort()).toEqual(ok.map((r) => r.body.accountId).sort());
    const listed = await admin.get(`${base}/assignments?lineId=${lineId}`);
    expect(listed.body.assignments).toHaveLength(10);
  });

  it('refuses a seat on a serial-activated line (it has none to give) with LINE_NOT_ASSIGNABLE, changing nothing', async () => {
    const { org, admin, adminId, base, entitlements } = await setup();
    const before = JSON.stringify(server.services.store.org(org.orgId));
    const r = await admin.post(`${base}/assignments`, { lineId: org.line('ACAD').id, accountId: adminId });
    expect([r.status, r.body.error.code]).toEqual([409, 'LINE_NOT_ASSIGNABLE']);
    expect(r.body.error.message).toMatch(/serial number/);
    expect(JSON.stringify(server.services.store.org(org.orgId))).toBe(before);
    expect(entitlements).toEqual([]);
  });

  it("answers 404 for another organization's line or person, exactly like unknown ones", async () => {
    const { org, admin, base } = await setup();
    const other = await seedOrg(server);
    const stranger = await registered(server.url, { serial: other.serial });
    const foreignLine = await admin.post(`${base}/assignments`, { lineId: other.line('SW-PREMIUM').id, accountId: stranger.accountId });
    const unknownLine = await admin.post(`${base}/assignments`, { lineId: 'lin_unknown', accountId: stranger.accountId });
    expect([foreignLine.status, foreignLine.body.error]).toEqual([unknownLine.status, unknownLine.body.error]);
    expect(foreignLine.status).toBe(404);
    const foreignPerson = await admin.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: stranger.accountId });
    const unknownPerson = await admin.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: 'acc_unknown' });
    expect([foreignPerson.status, foreignPerson.body.error]).toEqual([unknownPerson.status, unknownPerson.body.error]);
    expect(foreignPerson.status).toBe(404);
    expect(server.services.store.org(other.orgId)!.assignments).toEqual({});
  });
});

describe('unassign', () => {
  it("removes the seat, tells the gateway to revoke the holder's leases and mails them", async () => {
    const { org, admin, adminId, base, entitlements } = await setup();
    const bob = await registered(server.url, { serial: org.serial, name: 'Bob' });
    const a = await admin.post(`${base}/assignments`, { lineId: org.line('BIM-COLLAB').id, accountId: bob.accountId });
    await smtp.waitFor((m) => m.to.includes(bob.email) && m.subject === PERMISSIONS);
    const r = await admin.del(`${base}/assignments/${a.body.id}`);
    expect(r.status).toBe(200);
    expect(server.services.store.org(org.orgId)!.assignments[a.body.id]).toBeUndefined();
    expect(entitlements.at(-1)).toEqual({ orgId: org.orgId, reason: 'unassigned', accountIds: [bob.accountId] });
    const mail = await smtp.waitFor((m) => m.to.includes(bob.email) && m.text.includes('was removed'));
    expect(mail.text).toContain('BIM Collaborate Pro');
    const [event] = await server.services.store.queryAudit(org.orgId, { action: 'assignment.delete' });
    expect(event).toMatchObject({ actor: adminId, target: a.body.id, before: { accountId: bob.accountId }, after: null });
    const again = await admin.del(`${base}/assignments/${a.body.id}`);
    expect(again.status).toBe(404);
  });
});

describe('reassign', () => {
  it('moves a seat of a full line from A to B in one transaction and revokes it from A', async () => {
    const { org, admin, adminId, base, entitlements, feed } = await setup();
    const lineId = org.line('BIM-COLLAB').id; // 3 seats
    const [a, x, y] = await addMembers(server, org.orgId, 3);
    const b = await registered(server.url, { serial: org.serial, name: 'Bea' });
    const held = [];
    for (const p of [a!, x!, y!]) held.push((await admin.post(`${base}/assignments`, { lineId, accountId: p.id })).body);
    expect((await admin.post(`${base}/assignments`, { lineId, accountId: b.accountId })).body.error.code).toBe('SEAT_LIMIT_REACHED');
    entitlements.length = 0;
    const r = await admin.post(`${base}/assignments/${held[0].id}/reassign`, { accountId: b.accountId });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ lineId, accountId: b.accountId, assignedBy: adminId });
    const now = Object.values(server.services.store.org(org.orgId)!.assignments).filter((s) => s.lineId === lineId);
    expect(now.map((s) => s.accountId).sort()).toEqual([b.accountId, x!.id, y!.id].sort());
    expect(entitlements).toEqual([{ orgId: org.orgId, reason: 'reassigned', accountIds: [a!.id, b.accountId] }]);
    expect(feed.at(-1)!.text).toMatch(/reassigned BIM Collaborate Pro .* from member\..* to /);
    await smtp.waitFor((m) => m.to.includes(a!.email) && m.text.includes('reassigned to someone else'));
    await smtp.waitFor((m) => m.to.includes(b.email) && m.text.includes('You were given a seat of BIM Collaborate Pro'));
    const [event] = await server.services.store.queryAudit(org.orgId, { action: 'assignment.reassign' });
    expect(event).toMatchObject({ target: held[0].id, before: { accountId: a!.id }, after: { accountId: b.accountId, id: r.body.id } });
  });

  it('lets exactly one of 10 concurrent reassigns of the same seat win', async () => {
    const { org, admin, base } = await setup();
    const lineId = org.line('SW-PREMIUM').id;
    const people = await addMembers(server, org.orgId, 11);
    const a = await admin.post(`${base}/assignments`, { lineId, accountId: people[0]!.id });
    const replies = await Promise.all(people.slice(1).map((p) => admin.post(`${base}/assignments/${a.body.id}/reassign`, { accountId: p.id })));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 404)).toHaveLength(9);
    expect(Object.values(server.services.store.org(org.orgId)!.assignments).filter((s) => s.lineId === lineId)).toHaveLength(1);
  });

  it('refuses to reassign to the holder or to someone already holding the line', async () => {
    const { org, admin, base } = await setup();
    const lineId = org.line('SW-PREMIUM').id;
    const [p, q] = await addMembers(server, org.orgId, 2);
    const a = await admin.post(`${base}/assignments`, { lineId, accountId: p!.id });
    await admin.post(`${base}/assignments`, { lineId, accountId: q!.id });
    for (const to of [p!.id, q!.id]) {
      const r = await admin.post(`${base}/assignments/${a.body.id}/reassign`, { accountId: to });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('ALREADY_ASSIGNED');
    }
  });
});

describe('who may assign', () => {
  it('lets a team admin assign only their contracts to their members; plain members get 403', async () => {
    const { org, admin, base } = await setup();
    const [ta, inTeam, outside] = await addMembers(server, org.orgId, 3);
    const otherContract = await admin.post(`${base}/contracts`, {
      number: 'C-other',
      serials: [`OTH-${process.pid}-${Math.floor(Math.random() * 1e9)}`],
      endsAt: Date.now() + 86_400_000,
      lines: [{ productCode: 'REVIT', seats: 2, method: 'named-user' }],
    });
    expect(otherContract.status).toBe(201);
    await addTeam(server, org.orgId, { adminIds: [ta!.id], memberIds: [inTeam!.id], contractIds: [org.contract.id] });
    const c = await clientFor(server, ta!.id);
    const lineId = org.line('SW-PREMIUM').id;
    const ok = await c.post(`${base}/assignments`, { lineId, accountId: inTeam!.id });
    expect(ok.status).toBe(201);
    expect((await c.post(`${base}/assignments`, { lineId, accountId: outside!.id })).status).toBe(403);
    expect((await c.post(`${base}/assignments`, { lineId: otherContract.body.lines[0].id, accountId: inTeam!.id })).status).toBe(403);
    const byAdmin = await admin.post(`${base}/assignments`, { lineId, accountId: outside!.id });
    expect((await c.del(`${base}/assignments/${byAdmin.body.id}`)).status).toBe(403);
    expect((await c.get(`${base}/assignments`)).body.assignments.map((x: { id: string }) => x.id)).toEqual([ok.body.id]);
    expect((await c.del(`${base}/assignments/${ok.body.id}`)).status).toBe(200);

    const plain = await clientFor(server, inTeam!.id);
    expect((await plain.post(`${base}/assignments`, { lineId, accountId: inTeam!.id })).status).toBe(403);
    expect((await plain.get(`${base}/assignments`)).status).toBe(403);
    expect((await plain.del(`${base}/assignments/${byAdmin.body.id}`)).status).toBe(403);
  });
});

describe('list', () => {
  it('filters by line, account and product', async () => {
    const { org, admin, base } = await setup();
    const [p, q] = await addMembers(server, org.orgId, 2);
    await admin.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: p!.id });
    await admin.post(`${base}/assignments`, { lineId: org.line('BIM-COLLAB').id, accountId: p!.id });
    await admin.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: q!.id });
    const ids = async (qs: string) => (await admin.get(`${base}/assignments${qs}`)).body.assignments.map((a: { accountId: string; productCode: string }) => `${a.productCode}:${a.accountId}`).sort();
    expect(await ids('')).toHaveLength(3);
    expect(await ids(`?accountId=${p!.id}`)).toEqual([`BIM-COLLAB:${p!.id}`, `SW-PREMIUM:${p!.id}`]);
    expect(await ids('?productCode=SW-PREMIUM')).toEqual([`SW-PREMIUM:${p!.id}`, `SW-PREMIUM:${q!.id}`].sort());
    expect(await ids(`?lineId=${org.line('BIM-COLLAB').id}`)).toEqual([`BIM-COLLAB:${p!.id}`]);
    expect((await admin.get(`${base}/assignments?bogus=1`)).status).toBe(400);
  });
});

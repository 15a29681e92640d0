// Members: listing and search, one member in detail, removal (assignments end, teams left,
// agents told, mail sent), and the last administrator who can never be removed.
import { describe, expect, it } from 'vitest';
import type { EntitlementChange } from '../../server/core/events.js';
import { registered } from '../helpers/client.js';
import { PERMISSIONS, serverWithSmtp } from '../helpers/mail-suite.js';
import { ownedOrg, type TestServer } from '../helpers/server.js';
import type { TestSmtp } from '../helpers/smtp.js';

let smtp: TestSmtp;
let server: TestServer;
const entitlements: EntitlementChange[] = [];
serverWithSmtp((started) => {
  ({ server, smtp } = started);
  server.services.events.on('entitlements', (e) => entitlements.push(e));
});

async function setup() {
  const { org, o, base } = await ownedOrg(server);
  const ann = await registered(server.url, { serial: org.serial, name: 'Ann Archer' });
  const bob = await registered(server.url, { serial: org.serial, name: 'Bob Builder' });
  return { org, o, base, ann, bob };
}

describe('list and search', () => {
  it('lists members with role, teams, assignments and joinedAt, filtered by text, role and team', async () => {
    const { org, o, base, ann, bob } = await setup();
    const team = (await o.client.post(`${base}/teams`, { name: 'Bridges' })).body;
    expect((await o.client.put(`${base}/teams/${team.id}/members/${ann.accountId}`)).status).toBe(200);
    const sw = org.line('SW-PREMIUM').id;
    const asg = await o.client.post(`${base}/assignments`, { lineId: sw, accountId: bob.accountId });
    expect(asg.status).toBe(201);

    const all = await o.client.get(`${base}/members`);
    expect(all.status).toBe(200);
    expect(all.body.members.map((m: { name: string }) => m.name)).toEqual(['Ann Archer', 'Bob Builder', 'Olivia Owner']);
    const bobView = all.body.members[1];
    expect(bobView).toEqual({
      accountId: bob.accountId, email: bob.email, name: 'Bob Builder', role: 'member', teams: [],
      assignments: [{ id: asg.body.id, lineId: sw, productCode: 'SW-PREMIUM' }], joinedAt: expect.any(Number),
    });
    expect(all.body.members[0].teams).toEqual([{ id: team.id, name: 'Bridges', admin: false }]);

    const ids = async (qs: string) => (await o.client.get(`${base}/members?${qs}`)).body.members.map((m: { accountId: string }) => m.accountId);
    expect(await ids('q=BUILDER')).toEqual([bob.accountId]);
    expect(await ids(`q=${encodeURIComponent(ann.email)}`)).toEqual([ann.accountId]);
    expect(await ids('role=owner')).toEqual([o.accountId]);
    expect(await ids(`teamId=${team.id}`)).toEqual([ann.accountId]);
    expect(await ids('q=nobody-like-this')).toEqual([]);
    const bad = await o.client.get(`${base}/members?rol=owner`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('shows one member with assignments and signed-in devices; members see themselves only', async () => {
    const { org, o, base, ann, bob } = await setup();
    const sw = org.line('SW-PREMIUM').id;
    await o.client.post(`${base}/assignments`, { lineId: sw, accountId: bob.accountId });
    await server.services.store.tx((t) => {
      t.org(org.orgId)!.devices.dev_test1 = {
        id: 'dev_test1', machineIdHash: 'h', hostname: 'ws-bob', os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64' },
        agentVersion: '0.1.0', publicKey: 'k', enrolledAt: 1, enrolledWith: 'enr_1', lastSeenAt: 2, signedInAccountId: bob.accountId,
        inventory: [], inventoryHash: null, revokedAt: null,
      };
    });
    const d = await o.client.get(`${base}/members/${bob.accountId}`);
    expect(d.status).toBe(200);
    expect(d.body.assignments).toEqual([expect.objectContaining({ lineId: sw, productCode: 'SW-PREMIUM', contractNumber: org.contract.number, assignedBy: o.accountId })]);
    expect(d.body.devices).toEqual([{ id: 'dev_test1', hostname: 'ws-bob', platform: 'linux', agentVersion: '0.1.0', lastSeenAt: 2, online: false }]);
    expect((await bob.client.get(`${base}/members/${bob.accountId}`)).status).toBe(200);
    const other = await bob.client.get(`${base}/members/${ann.accountId}`);
    expect(other.status).toBe(403);
    expect((await bob.client.get(`${base}/members`)).status).toBe(403);
    expect((await o.client.get(`${base}/members/acc_nobody`)).status).toBe(404);
  });
});

describe('remove', () => {
  it('ends their assignments, takes them out of every team, tells the agents and mails them', async () => {
    const { org, o, base, bob } = await setup();
    const team = (await o.client.post(`${base}/teams`, { name: 'Bridges' })).body;
    await o.client.put(`${base}/teams/${team.id}/members/${bob.accountId}`);
    await o.client.put(`${base}/teams/${team.id}/admins/${bob.accountId}`);
    const a1 = await o.client.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: bob.accountId });
    const a2 = await o.client.post(`${base}/assignments`, { lineId: org.line('BIM-COLLAB').id, accountId: bob.accountId });
    expect([a1.status, a2.status]).toEqual([201, 201]);
    const mailsBefore = smtp.mails.length;

    const r = await o.client.del(`${base}/members/${bob.accountId}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, endedAssignments: [a1.body.id, a2.body.id], leftTeams: [team.id] });

    const doc = server.services.store.org(org.orgId)!;
    expect(doc.members[bob.accountId]).toBeUndefined();
    expect(Object.values(doc.assignments).filter((a) => a.accountId === bob.accountId)).toEqual([]);
    expect(doc.teams[team.id]).toMatchObject({ memberIds: [], adminIds: [] });
    expect(entitlements).toContainEqual({ orgId: org.orgId, reason: 'member-removed', accountIds: [bob.accountId] });
    // Mail is delivered in the background, so the assignment mails may still be arriving.
    const mail = await smtp.waitFor((m) => smtp.mails.indexOf(m) >= mailsBefore && m.to.includes(bob.email) && /no longer a member/.test(m.text));
    expect(mail.subject).toBe(PERMISSIONS);

    const audit = await server.services.store.queryAudit(org.orgId, { actor: o.accountId });
    expect(audit.filter((e) => e.action === 'assignment.delete').map((e) => e.target).sort()).toEqual([a1.body.id, a2.body.id].sort());
    expect(audit.find((e) => e.action === 'member.remove')).toMatchObject({ target: bob.accountId, before: { role: 'member', teamIds: [team.id] } });
    // Bob is out: the organization answers as if it did not exist.
    expect((await bob.client.get(`${base}/members/${bob.accountId}`)).status).toBe(404);
    expect((await bob.client.get('/api/v1/me')).body.orgs).toEqual([]);
  });

  it('never removes the last administrator, and leaves everything untouched when refusing', async () => {
    const { org, o, base } = await setup();
    await o.client.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: o.accountId });
    const before = JSON.stringify(server.services.store.org(org.orgId));
    const r = await o.client.del(`${base}/members/${o.accountId}`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('LAST_ADMIN');
    expect(JSON.stringify(server.services.store.org(org.orgId))).toBe(before);
  });

  it('lets only owners remove owners; admins remove members and admins', async () => {
    const { org, o, base, ann, bob } = await setup();
    expect((await o.client.put(`${base}/members/${ann.accountId}/role`, { role: 'admin' })).status).toBe(200);
    const ownerGone = await ann.client.del(`${base}/members/${o.accountId}`);
    expect(ownerGone.status).toBe(403);
    expect(ownerGone.body.error.message).toMatch(/owner/);
    expect((await ann.client.del(`${base}/members/${bob.accountId}`)).status).toBe(200);
    // With the owner still there, the admin may leave.
    expect((await ann.client.del(`${base}/members/${ann.accountId}`)).status).toBe(200);
    expect(Object.keys(server.services.store.org(org.orgId)!.members)).toEqual([o.accountId]);
  });

  it('answers 403 to members and 404 for unknown accounts', async () => {
    const { o, base, ann, bob } = await setup();
    const r = await ann.client.del(`${base}/members/${bob.accountId}`);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect((await o.client.del(`${base}/members/acc_nobody`)).status).toBe(404);
    const stranger = await registered(server.url);
    expect((await o.client.del(`${base}/members/${stranger.accountId}`)).status).toBe(404);
  });
});

// A team admin taking over anyone (issue 14 §4): putting the owner into their own team used to
// give the team admin the owner's seats and detail, and the right to take them out again.
// Replayed against the real server: team admins manage members whose role is member, only those.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMembers, addTeam, clientFor } from '../helpers/fixtures.js';
import { ownedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function scene() {
  const { org, o, base } = await ownedOrg(server);
  const [lead, worker] = await addMembers(server, org.orgId, 2);
  const [admin] = await addMembers(server, org.orgId, 1, 'admin');
  const teamId = await addTeam(server, org.orgId, { name: 'Bridges', memberIds: [lead!.id], adminIds: [lead!.id], contractIds: [org.contract.id] });
  const leadClient = await clientFor(server, lead!.id);
  return { org, o, base, lead: lead!, worker: worker!, admin: admin!, teamId, leadClient };
}

describe('a team admin', () => {
  it('cannot add the owner or an org admin to their team', async () => {
    const { org, o, base, admin, teamId, leadClient } = await scene();
    for (const target of [o.accountId, admin.id]) {
      const r = await leadClient.put(`${base}/teams/${teamId}/members/${target}`);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
    expect(server.services.store.org(org.orgId)!.teams[teamId]!.memberIds).not.toContain(o.accountId);
  });

  it('gains nothing over an owner an org admin put in the team: no detail, no seats, no unassign, no removal', async () => {
    const { org, o, base, teamId, leadClient } = await scene();
    expect((await o.client.put(`${base}/teams/${teamId}/members/${o.accountId}`)).status).toBe(200);
    const seat = await o.client.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: o.accountId });
    expect(seat.status).toBe(201);

    expect((await leadClient.get(`${base}/members/${o.accountId}`)).status).toBe(403);
    const list = await leadClient.get(`${base}/members`);
    expect(list.status).toBe(200);
    const ownerRow = list.body.members.find((m: { accountId: string }) => m.accountId === o.accountId);
    expect(ownerRow?.assignments ?? []).toEqual([]);
    const seats = await leadClient.get(`${base}/assignments`);
    expect(seats.body.assignments.map((a: { accountId: string }) => a.accountId)).not.toContain(o.accountId);
    const un = await leadClient.del(`${base}/assignments/${seat.body.id}`);
    expect(un.status).toBe(403);
    const out = await leadClient.del(`${base}/teams/${teamId}/members/${o.accountId}`);
    expect(out.status).toBe(403);

    const doc = server.services.store.org(org.orgId)!;
    expect(doc.teams[teamId]!.memberIds).toContain(o.accountId);
    expect(Object.values(doc.assignments).some((a) => a.accountId === o.accountId)).toBe(true);
  });

  it('still manages plain members of the team: adds, assigns, unassigns, removes', async () => {
    const { org, base, worker, teamId, leadClient } = await scene();
    expect((await leadClient.put(`${base}/teams/${teamId}/members/${worker.id}`)).status).toBe(200);
    const seat = await leadClient.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: worker.id });
    expect(seat.status).toBe(201);
    expect((await leadClient.get(`${base}/members/${worker.id}`)).status).toBe(200);
    expect((await leadClient.del(`${base}/assignments/${seat.body.id}`)).status).toBe(200);
    expect((await leadClient.del(`${base}/teams/${teamId}/members/${worker.id}`)).status).toBe(200);
  });

  it('loses control of a member the moment they are made an admin', async () => {
    const { org, o, base, worker, teamId, leadClient } = await scene();
    expect((await leadClient.put(`${base}/teams/${teamId}/members/${worker.id}`)).status).toBe(200);
    expect((await o.client.put(`${base}/members/${worker.id}/role`, { role: 'admin' })).status).toBe(200);
    expect((await leadClient.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: worker.id })).status).toBe(403);
    expect((await leadClient.del(`${base}/teams/${teamId}/members/${worker.id}`)).status).toBe(403);
  });
});

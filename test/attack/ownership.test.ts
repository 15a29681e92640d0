// An organization without an owner (issue 14 §9): an owner demoting themselves while another
// admin exists left it ownerless for good. Replayed against the real server, with the way out:
// ownership transfer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMembers } from '../helpers/fixtures.js';
import { ownedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const roleOf = (orgId: string, id: string) => server.services.store.org(orgId)!.members[id]?.role;

describe('the last owner', () => {
  it('cannot demote themselves, even with another admin there; the organization keeps its owner', async () => {
    const { org, o, base } = await ownedOrg(server);
    const [admin] = await addMembers(server, org.orgId, 1);
    expect((await o.client.put(`${base}/members/${admin!.id}/role`, { role: 'admin' })).status).toBe(200);
    for (const role of ['admin', 'member']) {
      const r = await o.client.put(`${base}/members/${o.accountId}/role`, { role });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('LAST_OWNER');
    }
    expect((await o.client.del(`${base}/members/${o.accountId}`)).body.error.code).toBe('LAST_OWNER');
    expect(roleOf(org.orgId, o.accountId)).toBe('owner');
  });

  it('transfers ownership: the new owner is owner, the old one an admin, both audited; then the old one may step down', async () => {
    const { org, o, base } = await ownedOrg(server);
    const [heir] = await addMembers(server, org.orgId, 1);
    const r = await o.client.post(`${base}/ownership`, { accountId: heir!.id });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ owner: heir!.id, previousOwner: o.accountId, previousOwnerRole: 'admin' });
    expect(roleOf(org.orgId, heir!.id)).toBe('owner');
    expect(roleOf(org.orgId, o.accountId)).toBe('admin');
    const audit = await o.client.get(`${base}/audit?action=role.change`);
    expect(audit.body.events.filter((e: { after: { via?: string } }) => e.after.via === 'ownership-transfer')).toHaveLength(2);
    // No longer the owner: may not transfer again.
    const again = await o.client.post(`${base}/ownership`, { accountId: o.accountId });
    expect(again.status).toBe(403);
  });

  it('refuses a transfer to someone outside the organization, and the owner stays owner', async () => {
    const { org, o, base } = await ownedOrg(server);
    const r = await o.client.post(`${base}/ownership`, { accountId: 'acc_nobody' });
    expect(r.status).toBe(404);
    expect(roleOf(org.orgId, o.accountId)).toBe('owner');
  });
});

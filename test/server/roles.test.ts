// Roles: owners and admins appoint and demote; only owners touch owners; the last
// administrator is never demoted, even by themselves, even when two demote each other at once.
import { describe, expect, it } from 'vitest';
import { registered } from '../helpers/client.js';
import { PERMISSIONS, serverWithSmtp } from '../helpers/mail-suite.js';
import { ownedOrg, type TestServer } from '../helpers/server.js';
import type { TestSmtp } from '../helpers/smtp.js';

let smtp: TestSmtp;
let server: TestServer;
serverWithSmtp((started) => ({ server, smtp } = started));

async function setup() {
  const { org, o, base } = await ownedOrg(server);
  const ann = await registered(server.url, { serial: org.serial, name: 'Ann Archer' });
  const bob = await registered(server.url, { serial: org.serial, name: 'Bob Builder' });
  const role = (id: string) => server.services.store.org(org.orgId)!.members[id]?.role;
  return { org, o, base, ann, bob, role };
}

describe('appoint and demote', () => {
  it('appoints an admin, who then may administer, and demotes them again; each change mailed and audited', async () => {
    const { org, o, base, ann, role } = await setup();
    expect((await ann.client.get(`${base}/members`)).status).toBe(403);
    const up = await o.client.put(`${base}/members/${ann.accountId}/role`, { role: 'admin' });
    expect(up.status).toBe(200);
    expect(up.body).toEqual({ accountId: ann.accountId, before: 'member', role: 'admin' });
    expect((await ann.client.get(`${base}/members`)).status).toBe(200);
    expect((await smtp.waitFor((m) => m.to.includes(ann.email) && m.subject === PERMISSIONS && /from member to admin/.test(m.text))).text).toContain(org.name);

    const down = await o.client.put(`${base}/members/${ann.accountId}/role`, { role: 'member' });
    expect(down.body).toEqual({ accountId: ann.accountId, before: 'admin', role: 'member' });
    expect(role(ann.accountId)).toBe('member');
    expect((await ann.client.get(`${base}/members`)).status).toBe(403);
    await smtp.waitFor((m) => m.to.includes(ann.email) && m.subject === PERMISSIONS && /from admin to member/.test(m.text));

    const audit = await server.services.store.queryAudit(org.orgId, { action: 'role.change', target: ann.accountId });
    expect(audit.map((e) => [e.before, e.after])).toEqual([
      [{ role: 'admin' }, { role: 'member' }],
      [{ role: 'member' }, { role: 'admin' }],
    ]);
  });

  it('refuses the owner demoting themselves while they are the only administrator', async () => {
    const { o, base, role } = await setup();
    const r = await o.client.put(`${base}/members/${o.accountId}/role`, { role: 'member' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('LAST_ADMIN');
    expect(r.body.error.message).toMatch(/last administrator/);
    expect(role(o.accountId)).toBe('owner');
  });

  it('lets only an owner make or unmake an owner', async () => {
    const { o, base, ann, bob, role } = await setup();
    await o.client.put(`${base}/members/${ann.accountId}/role`, { role: 'admin' });
    for (const [target, to] of [[bob.accountId, 'owner'], [o.accountId, 'admin'], [o.accountId, 'member']] as const) {
      const r = await ann.client.put(`${base}/members/${target}/role`, { role: to });
      expect(r.status).toBe(403);
      expect(r.body.error.message).toMatch(/Only an owner/);
    }
    expect((await o.client.put(`${base}/members/${bob.accountId}/role`, { role: 'owner' })).status).toBe(200);
    expect(role(bob.accountId)).toBe('owner');
    // With a second owner the first may step down.
    expect((await o.client.put(`${base}/members/${o.accountId}/role`, { role: 'member' })).status).toBe(200);
    expect(role(o.accountId)).toBe('member');
  });

  it('lets exactly one of the last two owners stepping down at the same moment succeed (issue 14 §9: never without an owner)', async () => {
    const { o, base, ann, bob, role } = await setup();
    expect((await o.client.put(`${base}/members/${ann.accountId}/role`, { role: 'owner' })).status).toBe(200);
    // An admin besides: what is at stake is the last owner, not the last administrator.
    expect((await o.client.put(`${base}/members/${bob.accountId}/role`, { role: 'admin' })).status).toBe(200);
    const [a, b] = await Promise.all([
      o.client.put(`${base}/members/${o.accountId}/role`, { role: 'member' }),
      ann.client.put(`${base}/members/${ann.accountId}/role`, { role: 'member' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.status === 409)!.body.error.code).toBe('LAST_OWNER');
    expect([role(o.accountId), role(ann.accountId)].filter((r) => r === 'owner')).toHaveLength(1);
  });

  it('answers 403 to members, 404 for unknown accounts and 400 for unknown roles', async () => {
    const { o, base, ann, bob } = await setup();
    const r = await ann.client.put(`${base}/members/${bob.accountId}/role`, { role: 'admin' });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect((await o.client.put(`${base}/members/acc_nobody/role`, { role: 'admin' })).status).toBe(404);
    expect((await o.client.put(`${base}/members/${ann.accountId}/role`, { role: 'superuser' })).status).toBe(400);
    expect((await o.client.put(`${base}/members/${ann.accountId}/role`, { role: 'admin', extra: 1 })).status).toBe(400);
  });
});

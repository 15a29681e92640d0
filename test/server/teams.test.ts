// Teams: create, rename, delete; members and team admins; contracts. Team admins manage the
// members of their own team and nothing else. A team attached to a two-tier product's contract
// is its project team: leaving it takes the product away.
import { describe, expect, it } from 'vitest';
import type { EntitlementChange } from '../../server/core/events.js';
import { Client, registered, uniqueEmail } from '../helpers/client.js';
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
  const people = async (...names: string[]) => Promise.all(names.map((name) => registered(server.url, { serial: org.serial, name })));
  return { org, o, base, people };
}

describe('team lifecycle', () => {
  it('creates, renames, lists, shows and deletes teams; names are unique; each step audited', async () => {
    const { org, o, base } = await setup();
    const a = await o.client.post(`${base}/teams`, { name: 'Bridges' });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ name: 'Bridges', members: [], adminIds: [], contracts: [] });
    const dup = await o.client.post(`${base}/teams`, { name: ' bridges ' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONFLICT');
    const b = await o.client.post(`${base}/teams`, { name: 'Tunnels' });
    const renamed = await o.client.patch(`${base}/teams/${b.body.id}`, { name: 'Viaducts' });
    expect(renamed.body.name).toBe('Viaducts');
    expect((await o.client.patch(`${base}/teams/${b.body.id}`, { name: 'Bridges' })).status).toBe(409);
    expect((await o.client.get(`${base}/teams`)).body.teams.map((t: { name: string }) => t.name)).toEqual(['Bridges', 'Viaducts']);
    expect((await o.client.get(`${base}/teams/${a.body.id}`)).body.id).toBe(a.body.id);
    expect((await o.client.del(`${base}/teams/${a.body.id}`)).status).toBe(200);
    expect((await o.client.get(`${base}/teams/${a.body.id}`)).status).toBe(404);
    expect((await o.client.post(`${base}/teams`, { name: '' })).status).toBe(400);
    expect((await o.client.post(`${base}/teams`, { name: 'x'.repeat(121) })).status).toBe(400);
    const audit = await server.services.store.queryAudit(org.orgId, {});
    expect(audit.map((e) => e.action).filter((x) => x.startsWith('team.'))).toEqual(['team.delete', 'team.rename', 'team.create', 'team.create']);
  });

  it('adds members and appoints team admins (members first), mailing each of them', async () => {
    const { org, o, base, people } = await setup();
    const [lead] = await people('Lena Lead');
    const team = (await o.client.post(`${base}/teams`, { name: 'Bridges' })).body;
    const early = await o.client.put(`${base}/teams/${team.id}/admins/${lead!.accountId}`);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/team first/);
    const add = await o.client.put(`${base}/teams/${team.id}/members/${lead!.accountId}`);
    expect(add.body.members).toEqual([{ accountId: lead!.accountId, email: lead!.email, name: 'Lena Lead', admin: false }]);
    await smtp.waitFor((m) => m.to.includes(lead!.email) && m.subject === PERMISSIONS && m.text.includes('added to the team Bridges'));
    const appoint = await o.client.put(`${base}/teams/${team.id}/admins/${lead!.accountId}`);
    expect(appoint.body.adminIds).toEqual([lead!.accountId]);
    await smtp.waitFor((m) => m.to.includes(lead!.email) && m.subject === PERMISSIONS && m.text.includes('administrator of the team Bridges'));
    expect((await o.client.del(`${base}/teams/${team.id}/admins/${lead!.accountId}`)).body.adminIds).toEqual([]);
    expect((await o.client.del(`${base}/teams/${team.id}/admins/${lead!.accountId}`)).status).toBe(404);
    const actions = (await server.services.store.queryAudit(org.orgId, { target: team.id })).map((e) => e.action);
    expect(actions).toEqual(['team.admin.remove', 'team.admin.add', 'team.member.add', 'team.create']);
  });

  it('answers 404 for unknown teams, accounts and contracts', async () => {
    const { org, o, base, people } = await setup();
    const [p] = await people('P');
    const team = (await o.client.post(`${base}/teams`, { name: 'T' })).body;
    for (const r of [
      await o.client.get(`${base}/teams/tea_nope`),
      await o.client.patch(`${base}/teams/tea_nope`, { name: 'X' }),
      await o.client.del(`${base}/teams/tea_nope`),
      await o.client.put(`${base}/teams/tea_nope/members/${p!.accountId}`),
      await o.client.put(`${base}/teams/${team.id}/members/acc_nope`),
      await o.client.del(`${base}/teams/${team.id}/members/${p!.accountId}`),
      await o.client.put(`${base}/teams/${team.id}/admins/acc_nope`),
      await o.client.put(`${base}/teams/${team.id}/contracts/con_nope`),
      await o.client.del(`${base}/teams/${team.id}/contracts/${org.contract.id}`),
    ]) {
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('NOT_FOUND');
    }
  });
});

describe('team admins', () => {
  it('add and remove members of their own team and nothing else', async () => {
    const { org, o, base, people } = await setup();
    const [lead, dev, outsider] = await people('Lena Lead', 'Dan Dev', 'Otto Outside');
    const mine = (await o.client.post(`${base}/teams`, { name: 'Bridges' })).body;
    const theirs = (await o.client.post(`${base}/teams`, { name: 'Tunnels' })).body;
    await o.client.put(`${base}/teams/${mine.id}/members/${lead!.accountId}`);
    await o.client.put(`${base}/teams/${mine.id}/admins/${lead!.accountId}`);
    await o.client.put(`${base}/teams/${theirs.id}/members/${outsider!.accountId}`);
    const L = lead!.client;

    const add = await L.put(`${base}/teams/${mine.id}/members/${dev!.accountId}`);
    expect(add.status).toBe(200);
    expect(add.body.members.map((m: { accountId: string }) => m.accountId)).toContain(dev!.accountId);
    expect((await L.get(`${base}/members/${dev!.accountId}`)).status).toBe(200);
    expect((await L.get(`${base}/members`)).status).toBe(200);
    const rm = await L.del(`${base}/teams/${mine.id}/members/${dev!.accountId}`);
    expect(rm.status).toBe(200);
    expect(server.services.store.org(org.orgId)!.teams[mine.id]!.memberIds).toEqual([lead!.accountId]);

    const forbidden = [
      ['add to another team', await L.put(`${base}/teams/${theirs.id}/members/${dev!.accountId}`)],
      ['remove from another team', await L.del(`${base}/teams/${theirs.id}/members/${outsider!.accountId}`)],
      ['see a member outside the team', await L.get(`${base}/members/${outsider!.accountId}`)],
      ['see another team', await L.get(`${base}/teams/${theirs.id}`)],
      ['invite an admin', await L.post(`${base}/invitations`, { email: uniqueEmail('adm'), role: 'admin', teamId: mine.id })],
      ['invite outside a team', await L.post(`${base}/invitations`, { email: uniqueEmail('any'), role: 'member' })],
      ['invite into another team', await L.post(`${base}/invitations`, { email: uniqueEmail('oth'), role: 'member', teamId: theirs.id })],
      ['remove a member from the organization', await L.del(`${base}/members/${dev!.accountId}`)],
      ['change a role', await L.put(`${base}/members/${dev!.accountId}/role`, { role: 'admin' })],
      ['create a team', await L.post(`${base}/teams`, { name: 'Mine too' })],
      ['rename their team', await L.patch(`${base}/teams/${mine.id}`, { name: 'Renamed' })],
      ['appoint a team admin', await L.put(`${base}/teams/${mine.id}/admins/${lead!.accountId}`)],
      ['attach a contract', await L.put(`${base}/teams/${mine.id}/contracts/${org.contract.id}`)],
      ['see mismatches', await L.get(`${base}/mismatches`)],
    ] as const;
    for (const [label, r] of forbidden) expect([label, r.status, r.body.error?.code]).toEqual([label, 403, 'FORBIDDEN']);
    // Nothing changed by the refusals.
    expect(server.services.store.org(org.orgId)!.teams[theirs.id]!.memberIds).toEqual([outsider!.accountId]);
  });

  it('see the members of their teams in full and everyone else only as a directory entry, to add them', async () => {
    const { o, base, people } = await setup();
    const [lead, dev, outsider, loose, other] = await people('Lena Lead', 'Dan Dev', 'Otto Outside', 'Lou Loose', 'Oli Other');
    const mine = (await o.client.post(`${base}/teams`, { name: 'Bridges' })).body;
    const second = (await o.client.post(`${base}/teams`, { name: 'Ramps' })).body;
    const theirs = (await o.client.post(`${base}/teams`, { name: 'Tunnels' })).body;
    for (const [team, p] of [[mine, lead], [mine, dev], [second, lead], [second, other], [theirs, outsider]] as const) {
      expect((await o.client.put(`${base}/teams/${team.id}/members/${p!.accountId}`)).status).toBe(200);
    }
    await o.client.put(`${base}/teams/${mine.id}/admins/${lead!.accountId}`);
    await o.client.put(`${base}/teams/${second.id}/admins/${lead!.accountId}`);
    const L = lead!.client;
    type Listed = { name: string; teams: Array<{ id: string }>; assignments: unknown[] };
    const listed = async (qs = '') => {
      const r = await L.get(`${base}/members${qs}`);
      expect(r.status).toBe(200);
      return r.body.members as Listed[];
    };
    const names = async (qs = '') => (await listed(qs)).map((m) => m.name);

    expect(await names()).toEqual(['Dan Dev', 'Lena Lead', 'Lou Loose', 'Oli Other', 'Olivia Owner', 'Otto Outside']);
    expect(await names('?q=DAN')).toEqual(['Dan Dev']);
    // Outside their teams: no other team is named to them.
    const otto = (await listed('?q=otto'))[0]!;
    expect(otto.teams).toEqual([]);
    expect(otto.assignments).toEqual([]);
    expect(await names(`?teamId=${theirs.id}`)).toEqual([]);
    expect((await listed(`?teamId=${mine.id}`)).map((m) => m.name)).toEqual(['Dan Dev', 'Lena Lead']);
    expect((await L.get(`${base}/members/${loose!.accountId}`)).status).toBe(403);
    // Org admins see everyone.
    const all = (await o.client.get(`${base}/members`)).body.members as Listed[];
    expect(all.find((m) => m.name === 'Otto Outside')!.teams.map((t) => t.id)).toEqual([theirs.id]);
    // A team admin who stops being one sees nobody (the list is for admins).
    await o.client.del(`${base}/teams/${mine.id}/admins/${lead!.accountId}`);
    await o.client.del(`${base}/teams/${second.id}/admins/${lead!.accountId}`);
    expect((await L.get(`${base}/members`)).status).toBe(403);
  });

  it('may not remove a fellow team admin from the team (it ends their admin status); org admins may', async () => {
    const { org, o, base, people } = await setup();
    const [lead, colead, dev] = await people('Lena Lead', 'Cole Colead', 'Dan Dev');
    const team = (await o.client.post(`${base}/teams`, { name: 'Bridges' })).body;
    for (const p of [lead, colead, dev]) await o.client.put(`${base}/teams/${team.id}/members/${p!.accountId}`);
    for (const p of [lead, colead]) await o.client.put(`${base}/teams/${team.id}/admins/${p!.accountId}`);
    const stored = () => server.services.store.org(org.orgId)!.teams[team.id]!;

    const refused = await lead!.client.del(`${base}/teams/${team.id}/members/${colead!.accountId}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(stored().memberIds).toContain(colead!.accountId);
    expect(stored().adminIds).toEqual([lead!.accountId, colead!.accountId]);
    expect(await server.services.store.queryAudit(org.orgId, { action: 'team.member.remove' })).toEqual([]);

    // Plain members are theirs to remove, and they may step out themselves.
    expect((await lead!.client.del(`${base}/teams/${team.id}/members/${dev!.accountId}`)).status).toBe(200);
    expect((await colead!.client.del(`${base}/teams/${team.id}/members/${colead!.accountId}`)).status).toBe(200);
    expect(stored().adminIds).toEqual([lead!.accountId]);

    await o.client.put(`${base}/teams/${team.id}/members/${colead!.accountId}`);
    await o.client.put(`${base}/teams/${team.id}/admins/${colead!.accountId}`);
    const byOwner = await o.client.del(`${base}/teams/${team.id}/members/${colead!.accountId}`);
    expect(byOwner.status).toBe(200);
    expect(stored().memberIds).toEqual([lead!.accountId]);
    expect(stored().adminIds).toEqual([lead!.accountId]);
  });

  it('invite members into their own team and see only those invitations', async () => {
    const { o, base, people } = await setup();
    const [lead] = await people('Lena Lead');
    const mine = (await o.client.post(`${base}/teams`, { name: 'Bridges' })).body;
    await o.client.put(`${base}/teams/${mine.id}/members/${lead!.accountId}`);
    await o.client.put(`${base}/teams/${mine.id}/admins/${lead!.accountId}`);
    await o.client.post(`${base}/invitations`, { email: uniqueEmail('org-level'), role: 'member' });
    const email = uniqueEmail('teamie');
    const inv = await lead!.client.post(`${base}/invitations`, { email, role: 'member', teamId: mine.id });
    expect(inv.status).toBe(201);
    expect((await lead!.client.get(`${base}/invitations`)).body.invitations.map((i: { id: string }) => i.id)).toEqual([inv.body.id]);
    const mail = await smtp.waitFor((m) => m.to.includes(email) && /invited/.test(m.subject));
    expect(mail.text).toContain('Lena Lead');
    const token = decodeURIComponent(mail.text.match(/\/accept\?token=(\S+)/)![1]!);
    const acc = await new Client(server.url).post('/api/v1/invitations/accept', { token, name: 'Tim Teamie', password: 'a good long password' });
    expect(acc.body.teamId).toBe(mine.id);
    expect((await o.client.get(`${base}/teams/${mine.id}`)).body.members.map((m: { name: string }) => m.name)).toEqual(['Lena Lead', 'Tim Teamie']);
  });
});

describe('members see their own teams only', () => {
  it('lists the teams a member is in and refuses the others with 403', async () => {
    const { o, base, people } = await setup();
    const [m] = await people('Mia Member');
    const a = (await o.client.post(`${base}/teams`, { name: 'Alpha' })).body;
    const b = (await o.client.post(`${base}/teams`, { name: 'Beta' })).body;
    await o.client.put(`${base}/teams/${a.id}/members/${m!.accountId}`);
    expect((await m!.client.get(`${base}/teams`)).body.teams.map((t: { id: string }) => t.id)).toEqual([a.id]);
    expect((await m!.client.get(`${base}/teams/${a.id}`)).status).toBe(200);
    expect((await m!.client.get(`${base}/teams/${b.id}`)).status).toBe(403);
    expect((await m!.client.put(`${base}/teams/${a.id}/members/${m!.accountId}`)).status).toBe(403);
  });
});

describe('project teams of two-tier products', () => {
  it('tells the agents when someone leaves a team attached to a BIM-COLLAB contract, and only then', async () => {
    const { org, o, base, people } = await setup();
    const [p, q] = await people('Pia Project', 'Quinn Plain');
    const project = (await o.client.post(`${base}/teams`, { name: 'Harbour project' })).body;
    const plain = (await o.client.post(`${base}/teams`, { name: 'Plain' })).body;
    const attach = await o.client.put(`${base}/teams/${project.id}/contracts/${org.contract.id}`);
    expect(attach.body.contracts).toEqual([{ id: org.contract.id, number: org.contract.number }]);
    await o.client.put(`${base}/teams/${project.id}/members/${p!.accountId}`);
    await o.client.put(`${base}/teams/${plain.id}/members/${q!.accountId}`);
    const mark = entitlements.length;

    expect((await o.client.del(`${base}/teams/${plain.id}/members/${q!.accountId}`)).status).toBe(200);
    expect(entitlements.slice(mark).filter((e) => e.orgId === org.orgId)).toEqual([]);

    expect((await o.client.del(`${base}/teams/${project.id}/members/${p!.accountId}`)).status).toBe(200);
    expect(entitlements.slice(mark).filter((e) => e.orgId === org.orgId)).toEqual([{ orgId: org.orgId, reason: 'team-removed', accountIds: [p!.accountId] }]);
    await smtp.waitFor((m) => m.to.includes(p!.email) && m.subject === PERMISSIONS && m.text.includes('removed from the team Harbour project'));

    // Detaching the contract takes the project membership from everyone still in the team.
    await o.client.put(`${base}/teams/${project.id}/members/${q!.accountId}`);
    const mark2 = entitlements.length;
    expect((await o.client.del(`${base}/teams/${project.id}/contracts/${org.contract.id}`)).body.contracts).toEqual([]);
    expect(entitlements.slice(mark2)).toEqual([{ orgId: org.orgId, reason: 'team-removed', accountIds: [q!.accountId] }]);
  });
});

// Invitations end to end: the mail goes through a real SMTP server, its link's token is accepted.
import { describe, expect, it } from 'vitest';
import { Client, registered, uniqueEmail } from '../helpers/client.js';
import { PERMISSIONS, serverWithSmtp } from '../helpers/mail-suite.js';
import { ownedOrg, startTestServer, type TestServer } from '../helpers/server.js';
import type { ReceivedMail, TestSmtp } from '../helpers/smtp.js';

const DAY = 24 * 3600 * 1000;

let smtp: TestSmtp;
let server: TestServer;
serverWithSmtp((started) => ({ server, smtp } = started));

const setup = (srv: TestServer = server) => ownedOrg(srv);

function tokenOf(mail: ReceivedMail): string {
  const m = mail.text.match(/\/accept\?token=(\S+)/);
  if (!m) throw new Error(`no accept link in: ${mail.text}`);
  return decodeURIComponent(m[1]!);
}

const inviteMail = (email: string, notToken?: string) =>
  smtp.waitFor((m) => m.to.includes(email) && /invited/.test(m.subject) && (!notToken || !m.text.includes(notToken)));

describe('invite and accept', () => {
  it('mails an accept link whose token creates the account, the membership, the team and the seats', async () => {
    const { org, o, base } = await setup();
    const team = await o.client.post(`${base}/teams`, { name: 'Bridges' });
    expect(team.status).toBe(201);
    const email = uniqueEmail('newbie');
    const sw = org.line('SW-PREMIUM').id;
    const bim = org.line('BIM-COLLAB').id;
    const inv = await o.client.post(`${base}/invitations`, { email: email.toUpperCase(), role: 'member', lineIds: [sw, bim], teamId: team.body.id });
    expect(inv.status).toBe(201);
    expect(inv.body).toMatchObject({ email, role: 'member', lineIds: [sw, bim], teamId: team.body.id, expired: false });
    expect(inv.body.expiresAt - inv.body.createdAt).toBe(7 * DAY);

    const mail = await inviteMail(email);
    expect(mail.subject).toContain(org.name);
    expect(mail.text).toContain(`${server.url}/accept?token=`);
    expect(mail.text).toContain('SW-PREMIUM, BIM-COLLAB');
    const token = tokenOf(mail);
    expect(token).toMatch(/^ski_/);
    // Stored only as its hash.
    expect(JSON.stringify(server.services.store.org(org.orgId))).not.toContain(token);

    const anon = new Client(server.url);
    const preview = await anon.post('/api/v1/invitations/preview', { token });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      orgName: org.name, email, role: 'member', expiresAt: inv.body.expiresAt, teamName: 'Bridges', productCodes: ['SW-PREMIUM', 'BIM-COLLAB'], accountExists: false,
    });

    const acc = await anon.post('/api/v1/invitations/accept', { token, name: 'Nina Newbie', password: 'a good long password' });
    expect(acc.status).toBe(200);
    expect(acc.body).toMatchObject({ orgId: org.orgId, role: 'member', teamId: team.body.id, created: true, notAssigned: [] });
    expect(acc.body.assigned.map((a: { productCode: string }) => a.productCode)).toEqual(['SW-PREMIUM', 'BIM-COLLAB']);
    // Signed in by the acceptance.
    const me = await anon.get('/api/v1/me');
    expect(me.body.account).toMatchObject({ email, name: 'Nina Newbie' });
    expect(me.body.orgs).toEqual([{ orgId: org.orgId, orgName: org.name, role: 'member', claimed: true }]);

    const detail = await o.client.get(`${base}/members/${acc.body.accountId}`);
    expect(detail.body.teams).toEqual([{ id: team.body.id, name: 'Bridges', admin: false }]);
    expect(detail.body.assignments.map((a: { lineId: string }) => a.lineId).sort()).toEqual([sw, bim].sort());
    const welcome = await smtp.waitFor((m) => m.to.includes(email) && m.subject === PERMISSIONS);
    expect(welcome.text).toMatch(/assigned SW-PREMIUM/);

    const again = await new Client(server.url).post('/api/v1/invitations/accept', { token, name: 'X', password: 'another long password' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INVITATION_CLOSED');
    expect((await anon.post('/api/v1/invitations/preview', { token })).body.error.code).toBe('INVITATION_CLOSED');

    const audit = await server.services.store.queryAudit(org.orgId, {});
    const actions = audit.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['invitation.create', 'invitation.accept', 'member.join', 'team.member.add', 'assignment.create']));
    expect(actions.filter((a) => a === 'assignment.create')).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toMatch(/tokenHash|ski_/);
    // The invitation is no longer pending.
    expect((await o.client.get(`${base}/invitations`)).body.invitations).toEqual([]);
  });

  it('assigns only as far as seats allow and reports the lines it skipped', async () => {
    const { org, o, base } = await setup();
    const bim = org.line('BIM-COLLAB');
    await server.services.store.tx((t) => {
      const doc = t.org(org.orgId)!;
      for (let i = 0; i < bim.seats; i++) doc.assignments[`asg_fill${i}`] = { id: `asg_fill${i}`, lineId: bim.id, accountId: `acc_other${i}`, assignedBy: 'test', assignedAt: 0 };
    });
    const email = uniqueEmail('partial');
    expect((await o.client.post(`${base}/invitations`, { email, role: 'member', lineIds: [bim.id, org.line('SW-PREMIUM').id] })).status).toBe(201);
    const token = tokenOf(await inviteMail(email));
    const acc = await new Client(server.url).post('/api/v1/invitations/accept', { token, name: 'Pat Partial', password: 'a good long password' });
    expect(acc.status).toBe(200);
    expect(acc.body.assigned.map((a: { productCode: string }) => a.productCode)).toEqual(['SW-PREMIUM']);
    expect(acc.body.notAssigned).toEqual([{ lineId: bim.id, productCode: 'BIM-COLLAB', reason: 'SEAT_LIMIT_REACHED' }]);
    const onLine = Object.values(server.services.store.org(org.orgId)!.assignments).filter((a) => a.lineId === bim.id);
    expect(onLine).toHaveLength(bim.seats);
  });

  it('makes the invited person an admin when invited as one', async () => {
    const { o, base } = await setup();
    const email = uniqueEmail('adm');
    expect((await o.client.post(`${base}/invitations`, { email, role: 'admin' })).status).toBe(201);
    const c = new Client(server.url);
    const acc = await c.post('/api/v1/invitations/accept', { token: tokenOf(await inviteMail(email)), name: 'Ada Admin', password: 'a good long password' });
    expect(acc.body.role).toBe('admin');
    expect((await c.get(`${base}/members`)).status).toBe(200);
  });

  it('asks a new person for a name and a password of 8 characters or more', async () => {
    const { o, base } = await setup();
    const email = uniqueEmail('fields');
    await o.client.post(`${base}/invitations`, { email, role: 'member' });
    const token = tokenOf(await inviteMail(email));
    const c = new Client(server.url);
    const noName = await c.post('/api/v1/invitations/accept', { token, password: 'a good long password' });
    expect(noName.status).toBe(400);
    expect(noName.body.error.message).toMatch(/name/);
    const short = await c.post('/api/v1/invitations/accept', { token, name: 'S', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/password/);
    // Still open after the refusals.
    expect((await c.post('/api/v1/invitations/accept', { token, name: 'S', password: 'long enough now' })).status).toBe(200);
  });
});

describe('existing accounts', () => {
  it('links an existing account signed in as the invited email, or with its password', async () => {
    const { org, o, base } = await setup();
    const signedIn = await registered(server.url, { name: 'Sid Signed' });
    await o.client.post(`${base}/invitations`, { email: signedIn.email, role: 'member' });
    const t1 = tokenOf(await inviteMail(signedIn.email));
    expect((await new Client(server.url).post('/api/v1/invitations/preview', { token: t1 })).body.accountExists).toBe(true);
    const r1 = await signedIn.client.post('/api/v1/invitations/accept', { token: t1 });
    expect(r1.status).toBe(200);
    expect(r1.body).toMatchObject({ accountId: signedIn.accountId, created: false });

    const byPassword = await registered(server.url, { name: 'Pam Password', password: 'pam password 123' });
    await o.client.post(`${base}/invitations`, { email: byPassword.email, role: 'member' });
    const t2 = tokenOf(await inviteMail(byPassword.email));
    const anon = new Client(server.url);
    const missing = await anon.post('/api/v1/invitations/accept', { token: t2 });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('UNAUTHENTICATED');
    const wrong = await anon.post('/api/v1/invitations/accept', { token: t2, password: 'not her password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    const ok = await anon.post('/api/v1/invitations/accept', { token: t2, password: 'pam password 123' });
    expect(ok.status).toBe(200);
    expect(ok.body.accountId).toBe(byPassword.accountId);
    expect((await anon.get('/api/v1/me')).body.account.id).toBe(byPassword.accountId);
    const members = server.services.store.org(org.orgId)!.members;
    expect(members[signedIn.accountId]?.role).toBe('member');
    expect(members[byPassword.accountId]?.role).toBe('member');
  });

  it('asks someone signed in as another address to choose: into this account, or sign out and accept as the invited one', async () => {
    const { o, base } = await setup();
    const email = uniqueEmail('intended');
    await o.client.post(`${base}/invitations`, { email, role: 'member' });
    const token = tokenOf(await inviteMail(email));
    const other = await registered(server.url, { email: `someone-else.${Date.now()}@elsewhere.test` });
    const r = await other.client.post('/api/v1/invitations/accept', { token });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('INVITED_OTHER_ADDRESS');
    expect(r.body.error.message).toContain(email);
    expect(r.body.error.details).toEqual({ invitedEmail: email, accountEmail: other.email, acceptIntoThisAccountAllowed: true });
  });

  it('refuses to invite an existing member (ALREADY_MEMBER) or the same email twice (CONFLICT)', async () => {
    const { org, o, base } = await setup();
    const m = await registered(server.url, { serial: org.serial });
    const r = await o.client.post(`${base}/invitations`, { email: m.email, role: 'member' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('ALREADY_MEMBER');
    const email = uniqueEmail('twice');
    expect((await o.client.post(`${base}/invitations`, { email, role: 'member' })).status).toBe(201);
    const dup = await o.client.post(`${base}/invitations`, { email, role: 'admin' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONFLICT');
  });
});

describe('resend, cancel, expiry', () => {
  it('resend mails a new token and kills the old one', async () => {
    const { o, base } = await setup();
    const email = uniqueEmail('resend');
    const inv = await o.client.post(`${base}/invitations`, { email, role: 'member' });
    const old = tokenOf(await inviteMail(email));
    const re = await o.client.post(`${base}/invitations/${inv.body.id}/resend`);
    expect(re.status).toBe(200);
    const fresh = tokenOf(await inviteMail(email, old));
    expect(fresh).not.toBe(old);
    const c = new Client(server.url);
    // The old link says why it stopped working, on the page that previews it and on accept.
    const dead = await c.post('/api/v1/invitations/accept', { token: old, name: 'R', password: 'a good long password' });
    expect([dead.status, dead.body.error.code]).toEqual([410, 'INVITATION_SUPERSEDED']);
    expect(dead.body.error.message).toMatch(/replaced by a newer invitation/);
    expect((await c.post('/api/v1/invitations/preview', { token: old })).body.error.code).toBe('INVITATION_SUPERSEDED');
    expect((await c.post('/api/v1/invitations/accept', { token: fresh, name: 'R', password: 'a good long password' })).status).toBe(200);
  });

  it('cancel closes the invitation: its link stops working and it leaves the list', async () => {
    const { o, base } = await setup();
    const email = uniqueEmail('cancel');
    const inv = await o.client.post(`${base}/invitations`, { email, role: 'member' });
    const token = tokenOf(await inviteMail(email));
    expect((await o.client.get(`${base}/invitations`)).body.invitations.map((i: { id: string }) => i.id)).toEqual([inv.body.id]);
    expect((await o.client.del(`${base}/invitations/${inv.body.id}`)).status).toBe(200);
    expect((await o.client.get(`${base}/invitations`)).body.invitations).toEqual([]);
    const r = await new Client(server.url).post('/api/v1/invitations/accept', { token, name: 'C', password: 'a good long password' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('INVITATION_CLOSED');
    expect((await o.client.del(`${base}/invitations/${inv.body.id}`)).body.error.code).toBe('INVITATION_CLOSED');
    expect((await o.client.post(`${base}/invitations/${inv.body.id}/resend`)).body.error.code).toBe('INVITATION_CLOSED');
    const audit = await server.services.store.queryAudit((await o.client.get('/api/v1/me')).body.orgs[0].orgId, { action: 'invitation.cancel' });
    expect(audit).toHaveLength(1);
  });

  it('expires after 7 days (410), is flagged in the list, and a resend revives it', async () => {
    let fakeNow = Date.UTC(2025, 2, 1, 9);
    const timed = await startTestServer({ mail: { kind: 'smtp', host: '127.0.0.1', port: smtp.port } }, { clock: () => fakeNow });
    try {
      const { o, base } = await setup(timed);
      // Sessions last hours; an API token survives the jump in time.
      const tok = await o.client.post('/api/v1/me/tokens', { name: 'admin script' });
      const admin = new Client(timed.url);
      admin.bearer = tok.body.token;
      const email = uniqueEmail('expiry');
      const inv = await admin.post(`${base}/invitations`, { email, role: 'member' });
      expect(inv.body.expiresAt).toBe(fakeNow + 7 * DAY);
      const token = tokenOf(await inviteMail(email));
      fakeNow += 8 * DAY;
      const list = await admin.get(`${base}/invitations`);
      expect(list.body.invitations).toEqual([expect.objectContaining({ id: inv.body.id, expired: true })]);
      const anon = new Client(timed.url);
      const preview = await anon.post('/api/v1/invitations/preview', { token });
      expect(preview.status).toBe(410);
      expect(preview.body.error.code).toBe('INVITATION_EXPIRED');
      const late = await anon.post('/api/v1/invitations/accept', { token, name: 'Late', password: 'a good long password' });
      expect(late.status).toBe(410);
      expect(late.body.error.code).toBe('INVITATION_EXPIRED');
      const re = await admin.post(`${base}/invitations/${inv.body.id}/resend`);
      expect(re.body).toMatchObject({ expired: false, expiresAt: fakeNow + 7 * DAY });
      const fresh = tokenOf(await inviteMail(email, token));
      expect((await anon.post('/api/v1/invitations/accept', { token: fresh, name: 'Late', password: 'a good long password' })).status).toBe(200);
    } finally {
      await timed.stop();
    }
  });
});

describe('who may invite', () => {
  it('answers 403 to members and to admins inviting an owner; 404 for unknown ids and tokens', async () => {
    const { org, o, base } = await setup();
    const m = await registered(server.url, { serial: org.serial });
    const inv = await o.client.post(`${base}/invitations`, { email: uniqueEmail('x'), role: 'member' });
    for (const r of [
      await m.client.post(`${base}/invitations`, { email: uniqueEmail('y'), role: 'member' }),
      await m.client.get(`${base}/invitations`),
      await m.client.post(`${base}/invitations/${inv.body.id}/resend`),
      await m.client.del(`${base}/invitations/${inv.body.id}`),
    ]) {
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
    const adminEmail = uniqueEmail('admin');
    await o.client.post(`${base}/invitations`, { email: adminEmail, role: 'admin' });
    const admin = new Client(server.url);
    await admin.post('/api/v1/invitations/accept', { token: tokenOf(await inviteMail(adminEmail)), name: 'A', password: 'a good long password' });
    const asOwner = await admin.post(`${base}/invitations`, { email: uniqueEmail('z'), role: 'owner' });
    expect(asOwner.status).toBe(403);
    expect(asOwner.body.error.message).toMatch(/owner/);
    expect((await o.client.post(`${base}/invitations`, { email: uniqueEmail('z'), role: 'owner' })).status).toBe(201);

    expect((await o.client.post(`${base}/invitations/inv_nope/resend`)).status).toBe(404);
    expect((await o.client.del(`${base}/invitations/inv_nope`)).status).toBe(404);
    expect((await o.client.post(`${base}/invitations`, { email: uniqueEmail('l'), role: 'member', lineIds: ['lin_nope'] })).status).toBe(404);
    const serial = await o.client.post(`${base}/invitations`, { email: uniqueEmail('s'), role: 'member', lineIds: [org.line('ACAD').id] });
    expect([serial.status, serial.body.error.code]).toEqual([409, 'LINE_NOT_ASSIGNABLE']);
    expect((await o.client.post(`${base}/invitations`, { email: uniqueEmail('t'), role: 'member', teamId: 'tea_nope' })).status).toBe(404);
    const unknown = await new Client(server.url).post('/api/v1/invitations/accept', { token: 'ski_not-a-real-token-at-all', name: 'U', password: 'a good long password' });
    expect(unknown.status).toBe(404);
    expect((await new Client(server.url).post('/api/v1/invitations/preview', { token: 'ski_not-a-real-token-at-all' })).status).toBe(404);
  });

  it('validates bodies strictly', async () => {
    const { o, base } = await setup();
    const extra = await o.client.post(`${base}/invitations`, { email: uniqueEmail('v'), role: 'member', admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('VALIDATION_FAILED');
    expect((await o.client.post(`${base}/invitations`, { email: 'not an email', role: 'member' })).status).toBe(400);
    expect((await o.client.post(`${base}/invitations`, { email: uniqueEmail('v'), role: 'emperor' })).status).toBe(400);
    expect((await new Client(server.url).post('/api/v1/invitations/accept', { token: 'ski_' + 'x'.repeat(300) })).status).toBe(400);
  });
});

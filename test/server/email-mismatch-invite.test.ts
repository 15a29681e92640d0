// A near-miss email on invitation acceptance is refused with "did you mean" and shown to admins.
import { describe, expect, it } from 'vitest';
import type { FeedItem } from '../../server/core/events.js';
import { Client, registered } from '../helpers/client.js';
import { serverWithSmtp } from '../helpers/mail-suite.js';
import { ownedOrg, type TestServer } from '../helpers/server.js';
import type { TestSmtp } from '../helpers/smtp.js';

let smtp: TestSmtp;
let server: TestServer;
const feed: FeedItem[] = [];
serverWithSmtp((started) => {
  ({ server, smtp } = started);
  server.services.events.on('feed', (f) => feed.push(f));
});

let n = 0;
const tag = () => `${process.pid}x${++n}x${Date.now() % 100000}`;

async function invite(email: string, prepare?: (org: { serial: string }) => Promise<unknown>) {
  const { org, o, base } = await ownedOrg(server);
  await prepare?.(org);
  const inv = await o.client.post(`${base}/invitations`, { email, role: 'member' });
  expect(inv.status).toBe(201);
  const mail = await smtp.waitFor((m) => m.to.includes(email) && /invited/.test(m.subject));
  const token = decodeURIComponent(mail.text.match(/\/accept\?token=(\S+)/)![1]!);
  return { org, o, base, token, invitationId: inv.body.id as string };
}

describe('email mismatch on invitation acceptance', () => {
  it('refuses an account signed in as a near miss with EMAIL_MISMATCH and a suggestion, and lists it for admins', async () => {
    const t = tag();
    const invited = `john.doe.${t}@acme.test`;
    const typo = `johndoe.${t}@acme.test`;
    const { org, o, base, token } = await invite(invited);
    const john = await registered(server.url, { email: typo, name: 'John Doe' });

    const r = await john.client.post('/api/v1/invitations/accept', { token });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('EMAIL_MISMATCH');
    expect(r.body.error.message).toContain(`Did you mean ${invited}?`);
    expect(r.body.error.details).toEqual({ suggestion: invited });
    expect(server.services.store.org(org.orgId)!.members[john.accountId]).toBeUndefined();

    const list = await o.client.get(`${base}/mismatches`);
    expect(list.status).toBe(200);
    expect(list.body.mismatches).toEqual([{ id: expect.any(String), at: expect.any(Number), attempted: typo, suggestion: invited, context: 'invite-accept' }]);
    expect(feed.some((f) => f.orgId === org.orgId && f.kind === 'sign-in-failed' && f.text.includes(typo) && f.text.includes(invited))).toBe(true);

    // The invitation is still open for the right address.
    const right = await new Client(server.url).post('/api/v1/invitations/accept', { token, name: 'John Doe', password: 'the right one at last' });
    expect(right.status).toBe(200);
  });

  it('refuses the same near miss given as email and password, but only after the password is right', async () => {
    const t = tag();
    const invited = `jane.roe.${t}@acme.test`;
    const typo = `janeroe.${t}@acme.test`;
    const { o, base, token } = await invite(invited);
    await registered(server.url, { email: typo, password: 'jane password 1' });
    const anon = new Client(server.url);
    const wrong = await anon.post('/api/v1/invitations/accept', { token, email: typo, password: 'not jane password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await o.client.get(`${base}/mismatches`)).body.mismatches).toEqual([]);
    const r = await anon.post('/api/v1/invitations/accept', { token, email: typo, password: 'jane password 1' });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('EMAIL_MISMATCH');
    expect(r.body.error.details.suggestion).toBe(invited);
    expect((await o.client.get(`${base}/mismatches`)).body.mismatches.map((m: { attempted: string }) => m.attempted)).toEqual([typo]);
    expect((await anon.get('/api/v1/me')).status).toBe(401);
  });

  it("counts the same local part at one of the organization's alias domains as a near miss", async () => {
    const t = tag();
    const invited = `sam.${t}@acme.test`;
    const other = `sam.${t}@acme-eng.test`;
    const { token } = await invite(invited);
    const sam = await registered(server.url, { email: other });
    const r = await sam.client.post('/api/v1/invitations/accept', { token });
    expect(r.status).toBe(401);
    expect(r.body.error.details.suggestion).toBe(invited);
  });

  it('lists sign-in and invitation mismatches newest first, to admins only', async () => {
    const t = tag();
    const invited = `max.power.${t}@acme.test`;
    const { org, o, base, token } = await invite(invited);
    const max = await registered(server.url, { email: `maxpower.${t}@acme.test` });
    expect((await max.client.post('/api/v1/invitations/accept', { token })).status).toBe(401);
    // A sign-in with a near miss of the owner's address lands in the same list.
    const ownerTypo = o.email.replace('.', '');
    expect((await new Client(server.url).post('/api/v1/auth/sign-in', { email: ownerTypo, password: 'whatever it is' })).body.error.code).toBe('EMAIL_MISMATCH');
    const list = (await o.client.get(`${base}/mismatches`)).body.mismatches;
    expect(list.map((m: { context: string; attempted: string }) => [m.context, m.attempted])).toEqual([
      ['sign-in', ownerTypo],
      ['invite-accept', `maxpower.${t}@acme.test`],
    ]);
    const member = await registered(server.url, { serial: org.serial });
    const denied = await member.client.get(`${base}/mismatches`);
    expect(denied.status).toBe(403);
  });
});

describe('email mismatch with a member before an account is created on acceptance', () => {
  const accountsFor = (email: string) => Object.values(server.services.store.global().accounts).filter((a) => a.email === email);

  it.each([
    ['dots in the local part', (t: string) => `jdoe.${t}@acme.test`, (t: string) => `j.doe.${t}@acme.test`],
    ["one of the organization's alias domains", (t: string) => `jdoe.${t}@acme-eng.test`, (t: string) => `jdoe.${t}@acme.test`],
    ['edit distance 2', (t: string) => `jdoe.${t}@acme.test`, (t: string) => `jdoe.${t}ab@acme.test`],
  ])('refuses an invitation addressed to a near miss of a member (%s): no second account, "did you mean", recorded', async (_what, invitedOf, memberOf) => {
    const t = tag();
    const invited = invitedOf(t);
    const member = memberOf(t);
    const { org, o, base, token, invitationId } = await invite(invited, (org) => registered(server.url, { email: member, serial: org.serial, name: 'J. Doe' }));

    const r = await new Client(server.url).post('/api/v1/invitations/accept', { token, name: 'J Doe', password: 'a long new password' });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('EMAIL_MISMATCH');
    expect(r.body.error.message).toContain(`Did you mean ${member}?`);
    expect(r.body.error.details).toEqual({ suggestion: member });
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(accountsFor(invited)).toEqual([]);
    const doc = server.services.store.org(org.orgId)!;
    expect(Object.keys(doc.members)).toHaveLength(2);
    expect(doc.invitations[invitationId]!.status).toBe('pending');
    const list = (await o.client.get(`${base}/mismatches`)).body.mismatches;
    expect(list).toEqual([{ id: expect.any(String), at: expect.any(Number), attempted: invited, suggestion: member, context: 'invite-accept' }]);
    expect(feed.some((f) => f.orgId === org.orgId && f.kind === 'sign-in-failed' && f.text.includes(invited) && f.text.includes(member))).toBe(true);
  });

  it('still creates the account when the invited address is near no member', async () => {
    const t = tag();
    const invited = `quentin.${t}@acme.test`;
    const { org, o, base, token } = await invite(invited, (org) => registered(server.url, { email: `zelda.${t}@acme.test`, serial: org.serial }));
    const r = await new Client(server.url).post('/api/v1/invitations/accept', { token, name: 'Quentin', password: 'a long new password' });
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(true);
    expect(accountsFor(invited)).toHaveLength(1);
    expect(server.services.store.org(org.orgId)!.members[r.body.accountId]).toBeDefined();
    expect((await o.client.get(`${base}/mismatches`)).body.mismatches).toEqual([]);
  });

  it('answers an anonymous accept with a near miss of the invited address that has no account with "did you mean"', async () => {
    const t = tag();
    const invited = `anna.lee.${t}@acme.test`;
    const typo = `annalee.${t}@acme.test`;
    const { o, base, token } = await invite(invited);
    const r = await new Client(server.url).post('/api/v1/invitations/accept', { token, email: typo, password: 'whatever it was' });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('EMAIL_MISMATCH');
    expect(r.body.error.message).toContain(`Did you mean ${invited}?`);
    expect(r.body.error.details).toEqual({ suggestion: invited });
    expect(accountsFor(typo)).toEqual([]);
    const list = (await o.client.get(`${base}/mismatches`)).body.mismatches;
    expect(list.map((m: { attempted: string; suggestion: string; context: string }) => [m.attempted, m.suggestion, m.context])).toEqual([[typo, invited, 'invite-accept']]);
  });

  it("suggests a member's address when the typed email is a near miss of it rather than of the invited one", async () => {
    const t = tag();
    const invited = `new.hire.${t}@acme.test`;
    const member = `pat.smith.${t}@acme.test`;
    const { o, base, token } = await invite(invited, (org) => registered(server.url, { email: member, serial: org.serial }));
    const r = await new Client(server.url).post('/api/v1/invitations/accept', { token, email: `patsmith.${t}@acme-eng.test`, password: 'whatever it was' });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('EMAIL_MISMATCH');
    expect(r.body.error.details).toEqual({ suggestion: member });
    expect((await o.client.get(`${base}/mismatches`)).body.mismatches).toHaveLength(1);
  });

  it('answers an anonymous accept with an unrelated email that has no account as a wrong password, recording nothing', async () => {
    const t = tag();
    const { o, base, token } = await invite(`rita.${t}@acme.test`);
    const r = await new Client(server.url).post('/api/v1/invitations/accept', { token, email: `someone.else.entirely.${t}@other.test`, password: 'whatever it was' });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(r.body.error.details).toBeUndefined();
    expect(r.body.error.message).not.toMatch(/did you mean/i);
    expect((await o.client.get(`${base}/mismatches`)).body.mismatches).toEqual([]);
  });
});

// Accounts (issue 14 §7), replayed against the real server: registering someone else's address
// gains nothing until the mail is read; password reset and change; the commonest passwords and
// control characters in names refused; API tokens expire and cannot mint more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByEmail } from '../../server/domain/accounts.js';
import { waitFor } from '../gateway/raw-agent.js';
import { Client, registerUnverified, registered, uniqueEmail, verifyByMail } from '../helpers/client.js';
import { addMembers, clientFor } from '../helpers/fixtures.js';
import { linkParam, readOutbox, waitForMail } from '../helpers/outbox.js';
import { ownedOrg, seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let now = Date.now();
beforeAll(async () => {
  server = await startTestServer({}, { clock: () => now });
});
afterAll(() => server.stop());

describe('an address is verified by mail before it is matched to anything', () => {
  const accountIdOf = (email: string) => findAccountByEmail(server.services.store.global().accounts, email)!.id;

  it('an unverified account cannot sign in (answered as a wrong password), so it can claim nothing; after the link it signs in and claims', async () => {
    const org = await seedOrg(server);
    const squatter = await registerUnverified(server.url, { serial: org.serial });
    const c = new Client(server.url);
    const early = await c.post('/api/v1/auth/sign-in', { email: squatter.email, password: squatter.password });
    const wrong = await new Client(server.url).post('/api/v1/auth/sign-in', { email: squatter.email, password: 'not the password at all' });
    expect([early.status, early.body]).toEqual([401, wrong.body]);
    expect(early.headers.get('set-cookie')).toBeNull();
    await verifyByMail(server.url, squatter.email);
    const signedIn = await c.post('/api/v1/auth/sign-in', { email: squatter.email, password: squatter.password });
    expect(signedIn.body.account.emailVerified).toBe(true);
    expect((await c.post(`/api/v1/orgs/${org.orgId}/claim`, { confirmOrgName: org.name, acceptTerms: true, responsibleForLicenses: true })).status).toBe(200);
  });

  it('a session from before verification was needed to sign in cannot claim an organization', async () => {
    const org = await seedOrg(server);
    const m = await registered(server.url, { serial: org.serial });
    await server.services.store.tx((t) => {
      t.global().accounts[m.accountId]!.emailVerifiedAt = null;
    });
    const refused = await m.client.post(`/api/v1/orgs/${org.orgId}/claim`, { confirmOrgName: org.name, acceptTerms: true, responsibleForLicenses: true });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'EMAIL_NOT_VERIFIED']);
    expect((await m.client.get('/api/v1/me')).body.account.emailVerified).toBe(false);
  });

  it('refuses a seat to a member whose address is not verified', async () => {
    const { org, o, base } = await ownedOrg(server);
    const m = await registerUnverified(server.url, { serial: org.serial });
    const r = await o.client.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: accountIdOf(m.email) });
    expect([r.status, r.body.error.code]).toEqual([403, 'EMAIL_NOT_VERIFIED']);
  });

  it('a verification link works once', async () => {
    const u = await registerUnverified(server.url);
    const token = linkParam(await waitForMail(server.dataDir, u.email, /Verify your email/), 'token');
    expect((await new Client(server.url).post('/api/v1/auth/verify-email', { token })).status).toBe(200);
    expect((await new Client(server.url).post('/api/v1/auth/verify-email', { token })).status).toBe(404);
  });

  it('sends the verification mail again at most once a minute (no flooding the mailbox of an address someone registered)', async () => {
    const u = await registered(server.url);
    // A session of an account whose address is not verified (older data): it may ask for the mail again.
    await server.services.store.tx((t) => {
      t.global().accounts[u.accountId]!.emailVerifiedAt = null;
    });
    const count = async () => (await readOutbox(server.dataDir)).filter((m) => m.to.includes(u.email) && /Verify your email/.test(m.subject)).length;
    const before = await count();
    for (let i = 0; i < 5; i++) expect((await u.client.post('/api/v1/me/verification')).status).toBe(200);
    now += 61_000;
    await u.client.post('/api/v1/me/verification');
    await waitFor('the second mail', async () => (await count()) === before + 2);
    // Five asks within the minute made one mail: the outbox holds exactly two new ones.
    expect(await count()).toBe(before + 2);
  });

  it('someone who registered the invited address first is replaced by whoever holds the invitation', async () => {
    const { o, base } = await ownedOrg(server);
    const email = uniqueEmail('victim');
    await registerUnverified(server.url, { email, password: 'squatter password' });
    expect((await o.client.post(`${base}/invitations`, { email, role: 'admin' })).status).toBe(201);
    const token = linkParam(await waitForMail(server.dataDir, email, /invited/), 'token');
    const preview = await new Client(server.url).post('/api/v1/invitations/preview', { token });
    expect(preview.body.accountExists).toBe(false);
    const real = new Client(server.url);
    const accept = await real.post('/api/v1/invitations/accept', { token, name: 'Real Person', password: 'the real password' });
    expect(accept.status).toBe(200);
    // The squatter's password is gone (it never opened anything: not verified); the address is verified now.
    expect((await new Client(server.url).post('/api/v1/auth/sign-in', { email, password: 'squatter password' })).status).toBe(401);
    const me = await real.get('/api/v1/me');
    expect(me.body.account).toMatchObject({ email, emailVerified: true });
  });
});

describe('password reset', () => {
  it('answers alike for every address, mails a single-use link to a real one, and ends every session', async () => {
    const u = await registered(server.url, { password: 'first password 1' });
    const unknown = await new Client(server.url).post('/api/v1/auth/password-reset', { email: uniqueEmail('nobody') });
    const known = await new Client(server.url).post('/api/v1/auth/password-reset', { email: u.email });
    expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
    const token = linkParam(await waitForMail(server.dataDir, u.email, /Reset your/), 'token');
    const reset = await new Client(server.url).post('/api/v1/auth/password-reset/complete', { token, password: 'second password 2' });
    expect(reset.status).toBe(200);
    expect((await u.client.get('/api/v1/me')).status).toBe(401);
    expect((await new Client(server.url).post('/api/v1/auth/password-reset/complete', { token, password: 'third password 3' })).status).toBe(404);
    expect((await new Client(server.url).post('/api/v1/auth/sign-in', { email: u.email, password: 'second password 2' })).status).toBe(200);
    const mails = await readOutbox(server.dataDir);
    expect(mails.some((m) => /Reset your/.test(m.subject) && !m.to.includes(u.email) && m.to.includes('nobody'))).toBe(false);
  });

  it('a reset link is short-lived', async () => {
    const u = await registered(server.url);
    await new Client(server.url).post('/api/v1/auth/password-reset', { email: u.email });
    const token = linkParam(await waitForMail(server.dataDir, u.email, /Reset your/), 'token');
    now += 31 * 60 * 1000;
    const r = await new Client(server.url).post('/api/v1/auth/password-reset/complete', { token, password: 'late password 4' });
    expect(r.status).toBe(404);
  });
});

describe('password change', () => {
  it('needs the current password and ends the other sessions, not this one', async () => {
    const u = await registered(server.url, { password: 'old password 11' });
    const other = new Client(server.url);
    expect((await other.post('/api/v1/auth/sign-in', { email: u.email, password: 'old password 11' })).status).toBe(200);
    const wrong = await u.client.post('/api/v1/me/password', { currentPassword: 'not it', newPassword: 'new password 22' });
    expect(wrong.status).toBe(401);
    const ok = await u.client.post('/api/v1/me/password', { currentPassword: 'old password 11', newPassword: 'new password 22' });
    expect(ok.status).toBe(200);
    expect((await u.client.get('/api/v1/me')).status).toBe(200);
    expect((await other.get('/api/v1/me')).status).toBe(401);
  });
});

describe('passwords and names', () => {
  it('refuses the commonest passwords', async () => {
    for (const password of ['password123', 'Qwerty123', '12345678', 'iloveyou']) {
      const r = await new Client(server.url).post('/api/v1/auth/register', { email: uniqueEmail(), password, name: 'N' });
      expect([r.status, r.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });

  it('refuses control characters and bidi overrides in names (no fake lines in other people\'s mail)', async () => {
    const { base, o } = await ownedOrg(server);
    for (const name of ['Eve\r\nSubject: pay now', 'Eve\u0000', 'Eve\u202Egnp.exe', 'Eve\u2066x']) {
      const r = await new Client(server.url).post('/api/v1/auth/register', { email: uniqueEmail(), password: 'long enough pw', name });
      expect(r.status).toBe(400);
      expect((await o.client.post(`${base}/teams`, { name })).status).toBe(400);
    }
  });
});

describe('API tokens', () => {
  it('a token cannot mint tokens, so revoking it is the end of it', async () => {
    const u = await registered(server.url);
    const t = await u.client.post('/api/v1/me/tokens', { name: 'script' });
    expect(t.status).toBe(201);
    const script = new Client(server.url);
    script.bearer = t.body.token;
    const mint = await script.post('/api/v1/me/tokens', { name: 'another' });
    expect([mint.status, mint.body.error.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('expires when asked to', async () => {
    const { org } = await ownedOrg(server);
    const [m] = await addMembers(server, org.orgId, 1);
    const session = await clientFor(server, m!.id);
    // clientFor signs in with a token; a person makes tokens through a session.
    const u = await registered(server.url);
    const t = await u.client.post('/api/v1/me/tokens', { name: 'short', expiresInDays: 1 });
    expect(t.body.expiresAt).toBe(now + 24 * 3600 * 1000);
    const script = new Client(server.url);
    script.bearer = t.body.token;
    expect((await script.get('/api/v1/me')).status).toBe(200);
    now += 24 * 3600 * 1000 + 1;
    expect((await script.get('/api/v1/me')).status).toBe(401);
    expect((await session.get('/api/v1/me')).status).toBe(200);
  });
});


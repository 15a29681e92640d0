import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, owner, registered, uniqueEmail, verifyByMail } from '../helpers/client.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('accounts', () => {
  it('registers with a normalized email, signs nobody in, and the account signs in with a session cookie', async () => {
    const c = new Client(server.url);
    const email = uniqueEmail('norm');
    const r = await c.post('/api/v1/auth/register', { email: `  ${email.toUpperCase()} `, password: 'long enough pw', name: 'N' });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ ok: true });
    expect(r.headers.get('set-cookie')).toBeNull();
    // Signed in once the address is verified (the link in its mail).
    await verifyByMail(server.url, email);
    const again = new Client(server.url);
    const signIn = await again.post('/api/v1/auth/sign-in', { email, password: 'long enough pw' });
    expect(signIn.status).toBe(200);
    expect(signIn.body.account.email).toBe(email);
    const cookie = signIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await again.get('/api/v1/me')).body.account.email).toBe(email);
    expect((await again.post('/api/v1/auth/sign-out')).status).toBe(200);
    expect((await again.get('/api/v1/me')).status).toBe(401);
  });

  it('stores the password as an scrypt hash, never in clear', async () => {
    const { accountId } = await registered(server.url, { password: 'secret-password-42' });
    const acc = server.services.store.global().accounts[accountId]!;
    expect(acc.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(server.services.store.global())).not.toContain('secret-password-42');
  });

  it('makes no second account for the same email, and keeps the first one as it was', async () => {
    const { email, accountId } = await registered(server.url);
    const before = structuredClone(server.services.store.global().accounts[accountId]);
    const r = await new Client(server.url).post('/api/v1/auth/register', { email, password: 'another long pw', name: 'X' });
    // The same answer as for a new address (test/attack/register-enumeration.test.ts compares them).
    expect(r.status).toBe(202);
    expect(Object.values(server.services.store.global().accounts).filter((a) => a.email === email)).toHaveLength(1);
    expect(server.services.store.global().accounts[accountId]).toEqual(before);
    expect((await new Client(server.url).post('/api/v1/auth/sign-in', { email, password: 'another long pw' })).status).toBe(401);
  });

  it('refuses a wrong password and an unknown serial with clear codes', async () => {
    const { email } = await registered(server.url);
    const r = await new Client(server.url).post('/api/v1/auth/sign-in', { email, password: 'wrong password' });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('INVALID_CREDENTIALS');
    const s = await new Client(server.url).post('/api/v1/auth/register', { email: uniqueEmail(), password: 'long enough pw', name: 'X', serial: 'NOPE-0000' });
    expect(s.status).toBe(404);
    expect(s.body.error.code).toBe('UNKNOWN_SERIAL');
  });

  it('answers UNKNOWN_SERIAL, not a 500, for a serial whose organization is gone, and creates no account', async () => {
    await server.services.store.tx((t) => void (t.global().serials['DANGLING-0001'] = 'org_gone'));
    const email = uniqueEmail();
    const r = await new Client(server.url).post('/api/v1/auth/register', { email, password: 'long enough pw', name: 'X', serial: 'DANGLING-0001' });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('UNKNOWN_SERIAL');
    expect(Object.values(server.services.store.global().accounts).some((a) => a.email === email)).toBe(false);
    const { client } = await registered(server.url);
    const link = await client.post('/api/v1/me/serials', { serial: 'DANGLING-0001' });
    expect(link.status).toBe(404);
    expect(link.body.error.code).toBe('UNKNOWN_SERIAL');
  });

  it('rate-limits sign-in with 429 and Retry-After', async () => {
    const limited = await startTestServer({ signInRateLimit: { attempts: 3, windowSeconds: 60 } });
    try {
      const { email } = await registered(limited.url);
      const c = new Client(limited.url);
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push((await c.post('/api/v1/auth/sign-in', { email, password: 'bad password' })).status);
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      const r = await c.post('/api/v1/auth/sign-in', { email, password: 'correct horse battery' });
      expect(r.status).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.stop();
    }
  });

  it('issues API tokens that authenticate scripts and can be revoked', async () => {
    const { client } = await registered(server.url);
    const t = await client.post('/api/v1/me/tokens', { name: 'ci script' });
    expect(t.status).toBe(201);
    const script = new Client(server.url);
    script.bearer = t.body.token;
    expect((await script.get('/api/v1/me')).status).toBe(200);
    expect(JSON.stringify(server.services.store.global())).not.toContain(t.body.token);
    expect((await client.del(`/api/v1/me/tokens/${t.body.id}`)).status).toBe(200);
    expect((await script.get('/api/v1/me')).status).toBe(401);
  });
});

describe('claim', () => {
  it('links the account to the organization by serial and shows its name', async () => {
    const org = await seedOrg(server);
    const { client } = await registered(server.url, { serial: org.serial.toLowerCase() });
    const me = await client.get('/api/v1/me');
    expect(me.body.orgs).toEqual([{ orgId: org.orgId, orgName: org.name, role: 'member', claimed: false }]);
    const info = await client.get(`/api/v1/orgs/${org.orgId}/claim`);
    expect(info.body).toEqual({ orgId: org.orgId, orgName: org.name, claimed: false, canClaim: true, termsUrl: null });
  });

  it("shows the operator's terms URL when one is configured, and refuses one that is not a web address", async () => {
    const withTerms = await startTestServer({ termsUrl: 'https://licenses.example.com/terms' });
    try {
      const org = await seedOrg(withTerms);
      const { client } = await registered(withTerms.url, { serial: org.serial });
      expect((await client.get(`/api/v1/orgs/${org.orgId}/claim`)).body.termsUrl).toBe('https://licenses.example.com/terms');
    } finally {
      await withTerms.stop();
    }
    await expect(startTestServer({ termsUrl: 'javascript:alert(1)' })).rejects.toThrow(/termsUrl/);
  });

  it('requires the name, the terms and the responsibility confirmation', async () => {
    const org = await seedOrg(server);
    const { client } = await registered(server.url, { serial: org.serial });
    const url = `/api/v1/orgs/${org.orgId}/claim`;
    expect((await client.post(url, { confirmOrgName: 'Wrong Inc', acceptTerms: true, responsibleForLicenses: true })).body.error.code).toBe('ORG_NAME_MISMATCH');
    // "Exactly as shown": the same letters in another case are not the name.
    const shouted = await client.post(url, { confirmOrgName: org.name.toUpperCase(), acceptTerms: true, responsibleForLicenses: true });
    expect([shouted.status, shouted.body.error.code]).toEqual([400, 'ORG_NAME_MISMATCH']);
    expect((await client.post(url, { confirmOrgName: org.name, acceptTerms: false, responsibleForLicenses: true })).body.error.code).toBe('TERMS_NOT_ACCEPTED');
    expect((await client.post(url, { confirmOrgName: org.name, acceptTerms: true, responsibleForLicenses: false })).body.error.code).toBe('TERMS_NOT_ACCEPTED');
    const ok = await client.post(url, { confirmOrgName: org.name, acceptTerms: true, responsibleForLicenses: true });
    expect(ok.status).toBe(200);
    expect((await client.get('/api/v1/me')).body.orgs[0].role).toBe('owner');
  });

  it('lets exactly one of 20 concurrent claims win; the others get 409', async () => {
    const org = await seedOrg(server);
    const people = await Promise.all(Array.from({ length: 20 }, () => registered(server.url, { serial: org.serial })));
    const results = await Promise.all(
      people.map((p) => p.client.post(`/api/v1/orgs/${org.orgId}/claim`, { confirmOrgName: org.name, acceptTerms: true, responsibleForLicenses: true })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(results.find((r) => r.status === 409)!.body.error.message).toMatch(/already has an administrator/);
    const owners = Object.values(server.services.store.org(org.orgId)!.members).filter((m) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  });

  it('answers 404 for an organization the caller does not belong to', async () => {
    const org = await seedOrg(server);
    await owner(server.url, org);
    const stranger = await registered(server.url);
    const r = await stranger.client.get(`/api/v1/orgs/${org.orgId}/claim`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });
});

describe('bad input', () => {
  it.each([
    ['invalid JSON', '{"email":', 400, 'INVALID_JSON'],
    ['wrong types', JSON.stringify({ email: 5, password: [], name: {} }), 400, 'VALIDATION_FAILED'],
    ['unknown fields', JSON.stringify({ email: 'a@b.test', password: 'long enough pw', name: 'A', admin: true }), 400, 'VALIDATION_FAILED'],
    ['an oversized body', JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(70_000), name: 'A' }), 413, 'BODY_TOO_LARGE'],
  ])('answers %s with a 4xx and an error code', async (_label, raw, status, code) => {
    const r = await new Client(server.url).req('POST', '/api/v1/auth/register', raw);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(typeof r.body.error.message).toBe('string');
  });

  it('treats a malformed session cookie as no session: 401 on a signed-in route, a normal answer on a public one', async () => {
    const c = new Client(server.url);
    c.cookie = 'sk_session=%E0%A4%A';
    const me = await c.get('/api/v1/me');
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('UNAUTHENTICATED');
    const signIn = await c.post('/api/v1/auth/sign-in', { email: uniqueEmail('nobody'), password: 'whatever it is' });
    expect(signIn.status).toBe(401);
    expect(signIn.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it.each([
    ['a malformed %-escape', '/api/v1/orgs/%E0%A4%A/members', 400, 'VALIDATION_FAILED'],
    ['an id longer than any id', `/api/v1/orgs/${'x'.repeat(300)}/members`, 404, 'NOT_FOUND'],
  ])('answers a URL with %s in the documented error shape', async (_label, path, status, code) => {
    const r = await new Client(server.url).get(path);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(typeof r.body.error.message).toBe('string');
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND', async () => {
    const r = await new Client(server.url).get('/api/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('ROUTE_NOT_FOUND');
  });
});

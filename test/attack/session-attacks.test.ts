// Attacks on portal sessions not covered elsewhere: the session cookie's Secure flag follows the
// public URL (HttpOnly and SameSite=Strict always), and spelling the email differently does not
// buy a brute-forcer more sign-in attempts. (Covered elsewhere: sign-in 429 + Retry-After and the
// HttpOnly/SameSite flags over http in test/server/accounts-and-claim.test.ts; device-code guessing
// in test/gateway/sign-in.test.ts; replayed hellos and expired enrollment tokens in test/gateway;
// forged and foreign leases in agent/local/check.test.ts and test/e2e/offline-check.test.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import { Client, readMailOf, registered, uniqueEmail, verifyByMail } from '../helpers/client.js';
import { waitForMail } from '../helpers/outbox.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function server(config: Parameters<typeof startTestServer>[0]) {
  const s = await startTestServer(config);
  servers.push(s);
  // The public URL may name a proxy in front; tests talk to the listener itself (and read its outbox).
  const base = `http://127.0.0.1:${s.port}`;
  readMailOf(base, (to, subject) => waitForMail(s.dataDir, to, subject));
  return { s, base };
}

const cookieOf = (r: { headers: Headers }) => r.headers.get('set-cookie') ?? '';

describe('session cookie', () => {
  it('is Secure, HttpOnly and SameSite=Strict when the public URL is https, on sign-in and sign-out', async () => {
    const { base } = await server({ publicUrl: 'https://licenses.example.com' });
    const email = uniqueEmail('secure');
    const c = new Client(base);
    const reg = await c.post('/api/v1/auth/register', { email, password: 'long enough pw', name: 'S' });
    expect(reg.status).toBe(202);
    expect(cookieOf(reg)).toBe(''); // register signs nobody in
    // Signed in once the address is verified (the link in its mail).
    await verifyByMail(base, email);
    const again = new Client(base);
    const signIn = await again.post('/api/v1/auth/sign-in', { email, password: 'long enough pw' });
    expect(signIn.status).toBe(200);
    for (const r of [signIn]) {
      const cookie = cookieOf(r);
      expect(cookie).toMatch(/^sk_session=[^;]+;/);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      expect(cookie).toMatch(/; Secure/);
    }
    const out = await again.post('/api/v1/auth/sign-out');
    expect(cookieOf(out)).toMatch(/^sk_session=; .*Max-Age=0.*; Secure/);
  });

  it('is not Secure over plain http (a browser would drop it and nobody could sign in)', async () => {
    const { base } = await server({});
    const { client } = await registered(base);
    const r = await client.post('/api/v1/auth/sign-out');
    expect(cookieOf(r)).toMatch(/HttpOnly; SameSite=Strict/);
    expect(cookieOf(r)).not.toMatch(/Secure/);
  });
});

describe('sign-in brute force', () => {
  it('counts every spelling of one email against the same attempt budget', async () => {
    const { base } = await server({ signInRateLimit: { attempts: 3, windowSeconds: 60 } });
    const { email } = await registered(base);
    const [local, domain] = email.split('@') as [string, string];
    const spellings = [email.toUpperCase(), `  ${email} `, `${local}@${domain.toUpperCase()}`, email, `\t${email.toUpperCase()}`];
    const statuses = [];
    for (const e of spellings) statuses.push((await new Client(base).post('/api/v1/auth/sign-in', { email: e, password: 'wrong password' })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const right = await new Client(base).post('/api/v1/auth/sign-in', { email, password: 'correct horse battery' });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

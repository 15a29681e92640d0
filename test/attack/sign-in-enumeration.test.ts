// Sign-in telling strangers other people's addresses (issue 14 §2): a near miss of a member of
// any organization was answered "Did you mean …?" before any password was checked, every wrong
// address was a fresh limiter key, and each try wrote into the victim organization. Replayed
// against the real server: one answer for everything, nothing written, guessing limited per address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, owner, registered } from '../helpers/client.js';
import { seedOrg, startTestServer, testLimits, type TestServer } from '../helpers/server.js';

let server: TestServer;
const strict = { signInRateLimit: { attempts: 2, windowSeconds: 3600 }, limits: { ...testLimits, signInFailuresPerAddress: { attempts: 10, windowSeconds: 3600 } } };
beforeAll(async () => {
  // 2 per (address, email), and 10 failures per address: small enough to reach.
  server = await startTestServer(strict);
});
afterAll(() => server.stop());

const n = `${process.pid}${Date.now() % 100000}`;
const victim = `ownerb.${n}@beta-corp.test`;
const allMismatches = () => server.services.store.orgIds().flatMap((id) => server.services.store.org(id)!.mismatches);

/** A stranger's client: each on its own forwarded address is not possible without a trusted proxy, so one per test. */
const stranger = () => new Client(server.url);

describe('a stranger signing in', () => {
  it('gets the same answer for a near miss of a member, an unknown address and a wrong password; nothing is recorded', async () => {
    const org = await seedOrg(server, { aliasDomains: ['beta-corp.test', 'beta-corp.com'] });
    await owner(server.url, org, victim);
    const before = JSON.stringify(allMismatches());
    const tries = [
      victim.replace('.test', '.tset'), // a domain typo
      victim.replace('ownerb.', 'ownerb'), // dots dropped
      victim.replace('@', '+x@'), // a plus-tag
      victim.replace('beta-corp.test', 'beta-corp.com'), // the alias domain
      `nobody.${n}@nowhere.test`,
      victim, // the real address, wrong password
    ];
    const answers = [];
    for (const email of tries) {
      const r = await stranger().post('/api/v1/auth/sign-in', { email, password: 'not the password' });
      answers.push({ status: r.status, body: r.body });
    }
    for (const a of answers) expect(a).toEqual({ status: 401, body: { error: { code: 'INVALID_CREDENTIALS', message: 'Wrong email or password, or the address is not verified yet: follow the link in the mail sent to it, or choose a new password with “Forgot your password?”, which verifies it too.' } } });
    expect(JSON.stringify(answers)).not.toContain(victim);
    expect(JSON.stringify(allMismatches())).toBe(before);
  });

  it('cannot guess addresses without limit: failures count per client address, and the limit answers alike for known and unknown', async () => {
    // A server of its own: every test here signs in from 127.0.0.1.
    const fresh = await startTestServer(strict);
    try {
      const known = await registered(fresh.url, { email: `known.${n}@gamma.test`, password: 'the right password' });
      const c = new Client(fresh.url);
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await c.post('/api/v1/auth/sign-in', { email: `guess${i}.${n}@gamma.test`, password: 'x' })).status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses.slice(10)).toEqual([429, 429]);
      // From that address, a real address is limited the same: the limit tells nothing either.
      const real = await c.post('/api/v1/auth/sign-in', { email: known.email, password: 'the right password' });
      expect(real.status).toBe(429);
      expect(real.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await fresh.stop();
    }
  });

  it('does not make a new key of the same address in another case', async () => {
    const other = await startTestServer(strict);
    try {
      const email = `case.${n}@delta.test`;
      const c = new Client(other.url);
      const codes = [];
      for (const e of [email, email.toUpperCase(), ` ${email}`]) codes.push((await c.post('/api/v1/auth/sign-in', { email: e, password: 'x' })).status);
      expect(codes).toEqual([401, 401, 429]);
    } finally {
      await other.stop();
    }
  });
});

// A sign-in with an unknown email close to a member's (alias domain, edit distance ≤ 2) is refused
// with "did you mean" and recorded for the organization's admins; a far-off email is simply a
// wrong email or password. (Dots in the local part: email-mismatch-invite.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, owner, registered } from '../helpers/client.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

let n = 0;
// Distinct enough per test that no other test's members are within edit distance 2.
const tag = () => `${process.pid}q${++n}q${Date.now() % 100000}`;

/** An organization (alias domains acme.test and acme-eng.test) with a member at `email`. */
async function orgWithMember(email: string) {
  const org = await seedOrg(server);
  const o = await owner(server.url, org);
  await registered(server.url, { email, serial: org.serial, password: 'the member password' });
  return { org, o, base: `/api/v1/orgs/${org.orgId}` };
}

const signIn = (email: string) => new Client(server.url).post('/api/v1/auth/sign-in', { email, password: 'the member password' });
const allMismatches = () => server.services.store.orgIds().flatMap((id) => server.services.store.org(id)!.mismatches);

describe('sign-in near miss', () => {
  it.each([
    ['the same local part at an alias domain', (t: string) => `kim.${t}@acme.test`, (t: string) => `kim.${t}@acme-eng.test`],
    ['edit distance 1 (a letter missing)', (t: string) => `robert.${t}@acme.test`, (t: string) => `robrt.${t}@acme.test`],
    ['edit distance 2 (two letters swapped)', (t: string) => `marguerite.${t}@acme.test`, (t: string) => `magruerite.${t}@acme.test`],
    ['edit distance 2 (a typo in the domain and one in the local part)', (t: string) => `henrietta.${t}@acme.test`, (t: string) => `henriette.${t}@acme.tes`],
  ])('refuses %s with EMAIL_MISMATCH and the member as the suggestion, and records it', async (_what, memberOf, typoOf) => {
    const t = tag();
    const member = memberOf(t);
    const typo = typoOf(t);
    const { o, base } = await orgWithMember(member);
    const r = await signIn(typo);
    expect(r.status).toBe(401);
    expect(r.body.error).toEqual({ code: 'EMAIL_MISMATCH', message: `There is no account for ${typo}. Did you mean ${member}?`, details: { suggestion: member } });
    expect(r.headers.get('set-cookie')).toBeNull();
    const list = await o.client.get(`${base}/mismatches`);
    expect(list.body.mismatches).toEqual([{ id: expect.any(String), at: expect.any(Number), attempted: typo, suggestion: member, context: 'sign-in' }]);
  });

  it.each([
    ['three letters missing', (t: string) => `bartholomew.${t}@acme.test`, (t: string) => `barthomw.${t}@acme.test`],
    ['three letters changed', (t: string) => `gwendolyn.${t}@acme.test`, (t: string) => `gwxndxlxn.${t}@acme.test`],
    ['the same local part at a foreign domain', (t: string) => `ottilie.${t}@acme.test`, (t: string) => `ottilie.${t}@elsewhere.test`],
  ])('answers a far-off email (%s) with plain INVALID_CREDENTIALS, no hint, nothing recorded', async (_what, memberOf, farOf) => {
    const t = tag();
    const member = memberOf(t);
    const far = farOf(t);
    const { o, base } = await orgWithMember(member);
    const before = allMismatches().length;
    const r = await signIn(far);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'Wrong email or password.' } });
    expect(JSON.stringify(r.body)).not.toContain(member);
    expect((await o.client.get(`${base}/mismatches`)).body.mismatches).toEqual([]);
    expect(allMismatches()).toHaveLength(before);
    // The member's own address still signs in.
    expect((await signIn(member)).status).toBe(200);
  });
});

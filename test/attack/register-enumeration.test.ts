// Account enumeration through register (issue 14 §2 for register): it used to answer EMAIL_TAKEN
// for an address with an account. Replayed against the real server, a known and an unknown address
// now get the same answer (status, headers that matter, body), both wait for a password hash in
// the same bounded queue, and the mail that tells the difference goes to the address's real holder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordGate } from '../../server/core/password.js';
import { Client, registered, uniqueEmail, type Reply } from '../helpers/client.js';
import { readOutbox, waitForMail } from '../helpers/outbox.js';
import { seedOrg, startTestServer, testLimits, type TestServer } from '../helpers/server.js';
import { waitFor } from '../gateway/raw-agent.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ limits: { ...testLimits, passwordHashConcurrency: 1 } });
});
afterAll(() => server.stop());

/** What a stranger can observe of an answer (ids and dates aside, which none of these carry). */
const seen = (r: Reply) => ({
  status: r.status,
  body: r.body,
  cookie: r.headers.get('set-cookie'),
  type: r.headers.get('content-type'),
  retryAfter: r.headers.get('retry-after'),
});

const register = (email: string, extra: Record<string, string> = {}) =>
  new Client(server.url).post('/api/v1/auth/register', { email, password: 'attacker picked this', name: 'Mallory Urgent', ...extra });

describe('register with an address that has an account', () => {
  it('answers exactly as for an unknown address, with and without a serial', async () => {
    const org = await seedOrg(server);
    const known = await registered(server.url, { email: uniqueEmail('holder') });
    const before = structuredClone(server.services.store.global().accounts[known.accountId]);
    for (const extra of [{}, { serial: org.serial }] as Array<Record<string, string>>) {
      const forKnown = seen(await register(known.email, extra));
      const forUnknown = seen(await register(uniqueEmail('fresh'), extra));
      expect(forKnown).toEqual(forUnknown);
      expect(forKnown).toMatchObject({ status: 202, body: { ok: true }, cookie: null });
    }
    // Other spellings of the known address (case, spaces) answer alike too.
    expect(seen(await register(`  ${known.email.toUpperCase()} `))).toEqual(seen(await register(uniqueEmail('fresh'))));
    // Nothing about the holder's account changed, nor was it linked to the organization; the attacker's password opens nothing.
    expect(server.services.store.global().accounts[known.accountId]).toEqual(before);
    expect(server.services.store.org(org.orgId)!.members[known.accountId]).toBeUndefined();
    expect((await new Client(server.url).post('/api/v1/auth/sign-in', { email: known.email, password: 'attacker picked this' })).status).toBe(401);
  });

  it('hashes the password in the same bounded queue for a known address as for a new one', async () => {
    const known = await registered(server.url);
    // The queue held still: a register waits there whichever address it names (then both finish alike).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const blocker = passwordGate.run(() => held);
    try {
      await waitFor('the hashing slot taken', () => passwordGate.running === 1);
      const forKnown = register(known.email);
      await waitFor('the known address waiting for a hash', () => passwordGate.waiting === 1);
      const forUnknown = register(uniqueEmail('fresh'));
      await waitFor('the new address waiting for a hash', () => passwordGate.waiting === 2);
      release();
      expect(seen(await forKnown)).toEqual(seen(await forUnknown));
    } finally {
      release();
      await blocker;
    }
  });

  it('mails the real holder (not the registrant) with ways in, and a new address its verification link', async () => {
    const known = await registered(server.url, { email: uniqueEmail('mailed') });
    const fresh = uniqueEmail('newcomer');
    await register(known.email);
    await register(fresh);
    const told = await waitForMail(server.dataDir, known.email, /Someone tried to create a Seatkeeper account/);
    expect(told.text).toContain(`${server.url}/sign-in`);
    expect(told.text).toContain(`${server.url}/forgot-password`);
    // Nothing the registrant typed reaches the holder's mailbox.
    expect(told.text).not.toMatch(/Mallory|Urgent|attacker/);
    // The holder got no verification link for an account someone else asked for; the new address did.
    const toHolder = (await readOutbox(server.dataDir)).filter((m) => m.to.includes(known.email));
    expect(toHolder.filter((m) => /Verify/.test(m.subject))).toHaveLength(1); // its own, from registering
    expect((await waitForMail(server.dataDir, fresh, /Verify your email/)).text).toMatch(/verify-email\?token=/);
    expect((await readOutbox(server.dataDir)).filter((m) => m.to.includes(fresh) && /Someone tried/.test(m.subject))).toEqual([]);
  });

  it('tells the holder at most once a minute, whatever a stranger repeats', async () => {
    const known = await registered(server.url, { email: uniqueEmail('flooded') });
    for (let i = 0; i < 5; i++) expect((await register(known.email)).status).toBe(202);
    await waitForMail(server.dataDir, known.email, /Someone tried/);
    // Mails go after the answer: one started after all five (a new address's) marks where they end.
    const marker = uniqueEmail('marker');
    await register(marker);
    await waitForMail(server.dataDir, marker, /Verify your email/);
    const told = (await readOutbox(server.dataDir)).filter((m) => m.to.includes(known.email) && /Someone tried/.test(m.subject));
    expect(told).toHaveLength(1);
  });

  it('then signing in with the password the stranger chose answers alike, whether the address was new or not', async () => {
    const known = await registered(server.url, { email: uniqueEmail('holder') });
    const fresh = uniqueEmail('fresh');
    await register(known.email);
    await register(fresh);
    const signIn = (email: string) => new Client(server.url).post('/api/v1/auth/sign-in', { email, password: 'attacker picked this' });
    const forKnown = seen(await signIn(known.email));
    const forFresh = seen(await signIn(fresh));
    // The new address's account exists, with the stranger's password, but is not verified: it opens nothing yet.
    expect(forFresh).toEqual(forKnown);
    expect(forFresh).toMatchObject({ status: 401, body: { error: { code: 'INVALID_CREDENTIALS' } }, cookie: null });
  });
});

// A password-hashing flood of sign-ins with random emails from one address (issue 14 §1), replayed
// against the real server: the flood keeps only its share of the hashing queue, so a person signing
// in from another address (a fresh browser, no known-device cookie) is admitted and signed in; and
// beyond the per-address failure budget the flood is refused at once, without a hash, whether the
// email it names exists or not.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Limits } from '../../server/core/config.js';
import { passwordGate } from '../../server/core/password.js';
import { Client, registered } from '../helpers/client.js';
import { startTestServer, testLimits, type TestServer } from '../helpers/server.js';
import { waitFor } from '../gateway/raw-agent.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function server(limits: Partial<Limits>) {
  const s = await startTestServer({ limits: { ...testLimits, ...limits } });
  servers.push(s);
  return s;
}

const ATTACKER = '127.0.0.2';

/** A sign-in sent from another loopback address than the genuine clients' 127.0.0.1. */
function signInFrom(url: string, from: string, email: string, password: string): Promise<{ status: number; body: any; retryAfter: string | undefined }> {
  const u = new URL(`${url}/api/v1/auth/sign-in`);
  const payload = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), retryAfter: res.headers['retry-after'] as string | undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Holds the one hashing slot until released, so what waits and what is refused can be seen. */
async function holdTheGate() {
  let release!: () => void;
  const blocker = passwordGate.run(() => new Promise<void>((r) => (release = r)));
  await waitFor('the hashing slot taken', () => passwordGate.running === 1);
  return async () => {
    release();
    await blocker;
  };
}

describe('a hashing flood from one address', () => {
  it('cannot fill the queue: a genuine sign-in from another address, without a known-device cookie, is admitted and succeeds', async () => {
    const s = await server({ passwordHashConcurrency: 1, passwordHashQueue: 4, passwordHashQueuePerAddress: 3 });
    const genuine = await registered(s.url, { password: 'the right password' });
    const release = await holdTheGate();
    try {
      let answered = 0;
      const flood = Array.from({ length: 30 }, (_, i) => signInFrom(s.url, ATTACKER, `nobody${i}.${Math.random()}@flood.example`, 'guess-guess').finally(() => answered++));
      // Three wait for a hash; the other 27 were answered at once, before any hash was done.
      await waitFor('the flood holding its share of the queue, the rest refused', () => passwordGate.waiting === 3 && answered === 27);
      // Without the per-address share the flood would hold all four places and this would be a 429.
      const fresh = new Client(s.url);
      const signIn = fresh.post('/api/v1/auth/sign-in', { email: genuine.email, password: 'the right password' });
      await waitFor('the genuine sign-in queued beside the flood', () => passwordGate.waiting === 4);
      await release();
      expect((await signIn).status).toBe(200);
      expect((await fresh.get('/api/v1/me')).body.account.id).toBe(genuine.accountId);
      const replies = await Promise.all(flood);
      expect(replies.filter((r) => r.status === 401)).toHaveLength(3);
      const refused = replies.filter((r) => r.status === 429);
      expect(refused).toHaveLength(27);
      for (const r of refused) expect([r.body.error.code, Number(r.retryAfter) > 0]).toEqual(['RATE_LIMITED', true]);
    } finally {
      await release();
    }
  });

  it('beyond its failure budget is refused at once without a hash, for unknown and real emails alike, while others still sign in', async () => {
    const s = await server({ passwordHashConcurrency: 1, passwordHashQueue: 16, passwordHashQueuePerAddress: 4, signInFailuresPerAddress: { attempts: 5, windowSeconds: 3600 } });
    const victim = await registered(s.url, { password: 'the right password' });
    for (let i = 0; i < 5; i++) expect((await signInFrom(s.url, ATTACKER, `guess${i}@flood.example`, 'guess-guess')).status).toBe(401);
    // The slot held: anything that needed a hash would wait. These answer at once, so none did.
    const release = await holdTheGate();
    try {
      const unknown = await signInFrom(s.url, ATTACKER, 'guess-next@flood.example', 'guess-guess');
      const real = await signInFrom(s.url, ATTACKER, victim.email, 'the right password');
      for (const r of [unknown, real]) {
        expect(r.status).toBe(429);
        expect(r.body.error.code).toBe('RATE_LIMITED');
        expect(r.body.error.message).toMatch(/Too many sign-in attempts/);
        expect(Number(r.retryAfter)).toBeGreaterThan(0);
      }
      // The same answer, known email or not: the budget tells nothing about which addresses exist.
      expect(unknown.body).toEqual(real.body);
      expect(passwordGate.waiting).toBe(0);
      // The victim from their own address still signs in (its hash waits for the held slot only).
      const own = new Client(s.url).post('/api/v1/auth/sign-in', { email: victim.email, password: 'the right password' });
      await waitFor('the genuine sign-in waiting for a hash', () => passwordGate.waiting === 1);
      await release();
      expect((await own).status).toBe(200);
    } finally {
      await release();
    }
  });
});

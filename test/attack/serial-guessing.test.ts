// Guessing serial numbers (issue 14 §6): linking a serial and registering with one are limited
// per address and per account; every unknown serial tried is logged for the operator.
// TODO(§7): a verified email before a claim is the accounts work of issue 14 §7, not done here.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/core/log.js';
import { Client, registered } from '../helpers/client.js';
import { seedOrg, startTestServer, testLimits, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function server(attempts: number, lines: string[] = []) {
  const logger = createLogger({ level: 'warn' });
  // Captures what the operator would read: the audit lines of refused serial tries.
  logger.add(new (await import('winston')).transports.Stream({ stream: new (await import('node:stream')).Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }) }));
  const s = await startTestServer({ limits: { ...testLimits, serialGuesses: { attempts, windowSeconds: 3600 } } }, { logger });
  servers.push(s);
  return s;
}

describe('serial number guessing', () => {
  it('limits POST /me/serials per account: the right serial after the limit is refused too, and nothing is joined', async () => {
    const lines: string[] = [];
    const s = await server(5, lines);
    const victim = await seedOrg(s);
    const guesser = await registered(s.url);
    for (let i = 0; i < 5; i++) expect((await guesser.client.post('/api/v1/me/serials', { serial: `SW${i}0000` })).status).toBe(404);
    const hit = await guesser.client.post('/api/v1/me/serials', { serial: victim.serial });
    expect(hit.status).toBe(429);
    expect(hit.body.error.code).toBe('RATE_LIMITED');
    expect(Number(hit.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(s.services.store.org(victim.orgId)!.members[guesser.accountId]).toBeUndefined();
    expect(lines.filter((l) => l.includes('unknown serial number tried')).length).toBeGreaterThanOrEqual(5);
  });

  it('limits per address across accounts: a new account from the same address gets no fresh tries', async () => {
    const s = await server(3);
    const victim = await seedOrg(s);
    for (let i = 0; i < 3; i++) {
      const u = await registered(s.url);
      await u.client.post('/api/v1/me/serials', { serial: `XX${i}1234` });
    }
    const fresh = await registered(s.url);
    expect((await fresh.client.post('/api/v1/me/serials', { serial: victim.serial })).status).toBe(429);
  });

  it('limits register-with-serial per address, and registering without a serial is not counted', async () => {
    const s = await server(2);
    const victim = await seedOrg(s);
    const c = () => new Client(s.url);
    const reg = (serial?: string) => c().post('/api/v1/auth/register', { email: `g${Math.random()}@guess.test`, password: 'long enough pw', name: 'G', ...(serial ? { serial } : {}) });
    expect((await reg('NOPE0001')).status).toBe(404);
    expect((await reg('NOPE0002')).status).toBe(404);
    expect((await reg()).status).toBe(202);
    const hit = await reg(victim.serial);
    expect(hit.status).toBe(429);
    expect(Object.keys(s.services.store.org(victim.orgId)!.members)).toHaveLength(0);
  });
});

// Story 4: `check` decides from the state directory alone: it works with the server down, and it
// refuses a tampered lease, a lease copied from another workstation, and a clock turned back.
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { e2eOrg, startE2EServer } from './setup.js';
import { ensureAgentBundle, Workstation } from './workstation.js';

let server: TestServer | undefined;
let one: Workstation;
let two: Workstation;

beforeAll(async () => {
  await ensureAgentBundle();
  server = await startE2EServer();
  const org = await e2eOrg(server);
  const [p, q] = await org.people(2);
  one = await Workstation.create('one');
  two = await Workstation.create('two');
  for (const [ws, person] of [[one, p!], [two, q!]] as const) {
    await ws.install('SW-PREMIUM');
    await ws.install('ACAD', { serial: org.serial });
    await org.admin.post(`${org.base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: person.id });
    await ws.enroll(server.url, org.token);
    await ws.start();
    await ws.login(org.activate(person));
    await ws.waitLease('ACAD', 'held');
    await ws.stop();
  }
  // The server goes away for good: everything below is the agent on its own.
  await server.stop();
  server = undefined;
});
afterAll(async () => {
  await one?.dispose();
  await two?.dispose();
  await server?.stop();
});

const leaseFile = (ws: Workstation, code: string) => ws.paths.lease(code);

describe('check without the server', () => {
  it('lets a held lease run with the server down', async () => {
    const r = await one.check('SW-PREMIUM');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ mayRun: true, method: 'named-user' });
    expect((await one.check('ACAD')).json).toMatchObject({ mayRun: true, method: 'serial' });
  });

  it('refuses a lease whose signed claims were edited', async () => {
    const file = leaseFile(one, 'ACAD');
    const saved = await fs.readFile(file, 'utf8');
    try {
      const held = JSON.parse(saved) as { token: string; storedAt: number };
      const [h, payload, sig] = held.token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      claims.exp += 365 * 24 * 3600;
      const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
      await fs.writeFile(file, JSON.stringify({ ...held, token: forged }));
      const r = await one.check('ACAD');
      expect(r.code).toBe(1);
      expect(r.json).toMatchObject({ mayRun: false, reason: 'tampered' });
    } finally {
      await fs.writeFile(file, saved);
    }
    expect((await one.check('ACAD')).code).toBe(0);
  });

  it("refuses a lease copied from another workstation's state", async () => {
    const mine = leaseFile(one, 'SW-PREMIUM');
    const saved = await fs.readFile(mine, 'utf8');
    try {
      await fs.copyFile(leaseFile(two, 'SW-PREMIUM'), mine);
      const r = await one.check('SW-PREMIUM');
      expect(r.code).toBe(1);
      expect(r.json).toMatchObject({ reason: 'wrong-device' });
    } finally {
      await fs.writeFile(mine, saved);
    }
    expect((await one.check('SW-PREMIUM')).code).toBe(0);
  });

  it('refuses when the clock was turned back, and an expired lease', async () => {
    // `check` has just recorded now as the highest time seen; an hour back is not a clock drift.
    expect((await two.check('SW-PREMIUM')).code).toBe(0);
    const rolled = await two.check('SW-PREMIUM', { SEATKEEPER_FAKE_NOW: String(Date.now() - 3600_000) });
    expect(rolled.code).toBe(1);
    expect(rolled.json).toMatchObject({ reason: 'clock-rolled-back' });
    const later = await two.check('SW-PREMIUM', { SEATKEEPER_FAKE_NOW: String(Date.now() + 30 * 24 * 3600_000) });
    expect(later.code).toBe(1);
    expect(later.json).toMatchObject({ reason: 'expired' });
  });
});

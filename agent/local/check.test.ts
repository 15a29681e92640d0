import { promises as fs } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateLeaseKeyPair, signLease, type LeaseClaimsInput, type LeaseKeyPair } from '../../shared/lease.js';
import { makeEnrolledState, type TestState } from '../../test/agent/helpers/state.js';
import { fixedClock } from '../clock.js';
import { readHighestSeen } from '../state/clock-guard.js';
import { writeHeldLease, writeTombstone } from '../state/lease-store.js';
import { CLOCK_RECORD_EVERY_MS, checkProduct, describeCheck } from './check.js';

const NOW = Date.UTC(2025, 10, 23, 12, 0, 0);
const nowS = Math.floor(NOW / 1000);

let serverKey: LeaseKeyPair;
let otherKey: LeaseKeyPair;
let st: TestState;

beforeAll(async () => {
  serverKey = await generateLeaseKeyPair();
  otherKey = await generateLeaseKeyPair();
});
beforeEach(async () => {
  st = await makeEnrolledState({ leaseKey: serverKey, deviceId: 'dev_a' });
});
afterEach(async () => {
  await fs.rm(st.dir, { recursive: true, force: true });
});

const claims = (over: Partial<LeaseClaimsInput> = {}): LeaseClaimsInput => ({
  sub: 'acc_alice',
  org: 'org_test',
  dev: 'dev_a',
  prod: 'SW-PREMIUM',
  meth: 'named-user',
  seat: 'line_1',
  iat: nowS - 60,
  exp: nowS + 3600,
  jti: 'lease_1',
  ...over,
});

const check = (productCode = 'SW-PREMIUM', at = NOW) => checkProduct({ paths: st.paths, config: st.config, productCode, clock: fixedClock(at) });

describe('check', () => {
  it('allows a product with a valid lease for this device', async () => {
    await writeHeldLease(st.paths, 'SW-PREMIUM', await signLease(serverKey.privateKey, claims()), NOW);
    const r = await check();
    expect(r).toEqual({ ok: true, productCode: 'SW-PREMIUM', subject: 'acc_alice', method: 'named-user', jti: 'lease_1', expiresAt: (nowS + 3600) * 1000 });
    expect(describeCheck(r)).toMatch(/^ok \(named-user, until 2025-11-23T13:00:00/);
  });

  it.each<[string, () => Promise<void>, string]>([
    ['no lease file', async () => {}, 'no-lease'],
    [
      'a lease signed by another key',
      async () => writeHeldLease(st.paths, 'SW-PREMIUM', await signLease(otherKey.privateKey, claims()), NOW),
      'tampered',
    ],
    [
      'a lease whose payload was edited',
      async () => {
        const [h, , s] = (await signLease(serverKey.privateKey, claims())).split('.');
        const payload = Buffer.from(JSON.stringify({ ...claims({ exp: nowS + 10 ** 8 }), iss: 'seatkeeper' })).toString('base64url');
        await writeHeldLease(st.paths, 'SW-PREMIUM', `${h}.${payload}.${s}`, NOW);
      },
      'tampered',
    ],
    [
      'a lease file that is not JSON',
      async () => {
        await fs.mkdir(st.paths.leases, { recursive: true });
        await fs.writeFile(st.paths.lease('SW-PREMIUM'), '{oops');
      },
      'tampered',
    ],
    [
      'another product\'s valid lease copied over',
      async () => writeHeldLease(st.paths, 'SW-PREMIUM', await signLease(serverKey.privateKey, claims({ prod: 'ACAD' })), NOW),
      'tampered',
    ],
    [
      'a lease for another device',
      async () => writeHeldLease(st.paths, 'SW-PREMIUM', await signLease(serverKey.privateKey, claims({ dev: 'dev_b' })), NOW),
      'wrong-device',
    ],
    [
      'an expired lease',
      async () => writeHeldLease(st.paths, 'SW-PREMIUM', await signLease(serverKey.privateKey, claims({ iat: nowS - 7200, exp: nowS - 1 })), NOW),
      'expired',
    ],
    [
      'a tombstone',
      async () => writeTombstone(st.paths, 'SW-PREMIUM', { jti: 'lease_1', reason: 'reassigned', at: NOW - 1000 }),
      'revoked',
    ],
  ])('refuses with %s', async (_label, arrange, reason) => {
    await arrange();
    const r = await check();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe(reason);
  });

  it('says why a lease was revoked', async () => {
    await writeTombstone(st.paths, 'SW-PREMIUM', { jti: 'lease_1', reason: 'method-switched', at: NOW });
    expect(describeCheck(await check())).toBe('revoked: method-switched');
  });

  describe('clock guard', () => {
    beforeEach(async () => {
      await writeHeldLease(st.paths, 'SW-PREMIUM', await signLease(serverKey.privateKey, claims()), NOW);
    });

    it('raises the highest time seen when now is later', async () => {
      await check('SW-PREMIUM', NOW);
      expect(await readHighestSeen(st.paths)).toBe(NOW);
      await check('SW-PREMIUM', NOW - 1000);
      expect(await readHighestSeen(st.paths)).toBe(NOW);
    });

    it('records the time at most once a minute, so a check does not wait for a disk write', async () => {
      await check('SW-PREMIUM', NOW);
      await check('SW-PREMIUM', NOW + CLOCK_RECORD_EVERY_MS - 1);
      expect(await readHighestSeen(st.paths)).toBe(NOW);
      await check('SW-PREMIUM', NOW + CLOCK_RECORD_EVERY_MS);
      expect(await readHighestSeen(st.paths)).toBe(NOW + CLOCK_RECORD_EVERY_MS);
    });

    it('tolerates a clock up to 5 minutes behind the highest seen', async () => {
      await check('SW-PREMIUM', NOW);
      expect((await check('SW-PREMIUM', NOW - 5 * 60_000)).ok).toBe(true);
    });

    it('refuses a clock rolled back more than 5 minutes, even with a lease valid at that time', async () => {
      await check('SW-PREMIUM', NOW);
      const r = await check('SW-PREMIUM', NOW - 5 * 60_000 - 1);
      expect(r).toEqual({ ok: false, productCode: 'SW-PREMIUM', reason: 'clock-rolled-back' });
    });

    it('refuses after a rollback past a lease\'s expiry rather than reporting it valid', async () => {
      // The lease expired at +1h; the clock went to +2h (recorded), then back to +30min.
      await check('SW-PREMIUM', NOW + 2 * 3600_000);
      expect((await check('SW-PREMIUM', NOW + 30 * 60_000)).ok).toBe(false);
    });

    it('still answers when the clock file cannot be written', async () => {
      // A directory where clock.json should be: unreadable and unreplaceable, even for root.
      await fs.mkdir(st.paths.clock);
      await fs.writeFile(`${st.paths.clock}/keep`, '');
      expect((await check('SW-PREMIUM', NOW)).ok).toBe(true);
      expect((await fs.stat(st.paths.clock)).isDirectory()).toBe(true);
    });
  });

  it('rejects something that is not a product code', async () => {
    await expect(check('../config')).rejects.toThrow(TypeError);
  });
});

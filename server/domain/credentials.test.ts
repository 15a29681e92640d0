import { afterEach, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../core/rate-limit.js';
import { configurePasswordCost, dummyHash, passwordGate, verifyPassword } from '../core/password.js';
import { verifyCredentials, type CredentialChecks } from './credentials.js';
import type { Account } from './model.js';

const checks = (accounts: Account[]): CredentialChecks => ({
  findAccount: (email) => accounts.find((a) => a.email === email),
  passwords: { verify: verifyPassword, dummyHash },
  limiter: createRateLimiter({ attempts: 100, windowSeconds: 60, clock: () => 0 }),
  addressLimiter: createRateLimiter({ attempts: 100, windowSeconds: 60, clock: () => 0 }),
});
const placeholder: Account = { id: 'acc_p', email: 'p@acme.test', aliases: [], name: 'P', passwordHash: null, status: 'invited', createdAt: 0 };

afterEach(() => {
  passwordGate.concurrency = 2;
  passwordGate.queue = 8;
});

describe('verifyCredentials', () => {
  it('computes a hash for an unknown address and for a placeholder without password, as for a real one', async () => {
    configurePasswordCost({ N: 1024, r: 8, p: 1 });
    // The gate full: a check that hashes is refused as busy, one that skips the hash would answer at once.
    passwordGate.concurrency = 1;
    passwordGate.queue = 0;
    let release!: () => void;
    const blocker = passwordGate.run(() => new Promise<void>((r) => (release = r)));
    for (const email of ['nobody@acme.test', 'p@acme.test']) {
      await expect(verifyCredentials(checks([placeholder]), { email, password: 'whatever', ip: '1.2.3.4' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    }
    release();
    await blocker;
    await expect(verifyCredentials(checks([placeholder]), { email: 'nobody@acme.test', password: 'whatever', ip: '1.2.3.4' })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('counts failures per address whatever the email, so guessing addresses is limited', async () => {
    configurePasswordCost({ N: 1024, r: 8, p: 1 });
    const c = { ...checks([]), addressLimiter: createRateLimiter({ attempts: 3, windowSeconds: 60, clock: () => 0 }) };
    for (let i = 0; i < 3; i++) {
      await expect(verifyCredentials(c, { email: `guess${i}@acme.test`, password: 'x', ip: '9.9.9.9' })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    await expect(verifyCredentials(c, { email: 'guess9@acme.test', password: 'x', ip: '9.9.9.9' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(verifyCredentials(c, { email: 'guess9@acme.test', password: 'x', ip: '8.8.8.8' })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });
});

// Signing in with an email and a password: the one check that sign-in and accepting an
// invitation with an existing account share. It tells a stranger nothing about which addresses
// exist: one answer for an unknown address and a wrong password, no "did you mean", nothing
// written anywhere, and an unknown address costs the same hash as a known one.
import { SeatkeeperError } from '../../shared/errors.js';
import { dummyHash, verifyPassword } from '../core/password.js';
import type { RateLimiter } from '../core/rate-limit.js';
import { normalizeEmail } from './email-match.js';
import type { Account } from './model.js';

export interface Credentials {
  email: string;
  password: string;
  /** the client address: attempts are counted per address and email, and failures per address */
  ip: string;
}

export interface CredentialChecks {
  findAccount(email: string): Account | undefined;
  /** attempts per (address, email) */
  limiter: RateLimiter;
  /**
   * failed attempts per address, whatever the email: without it every address tried is a fresh
   * key and guessing which addresses exist is unlimited
   */
  addressLimiter: RateLimiter;
}

const refused = () => new SeatkeeperError('INVALID_CREDENTIALS', 'Wrong email or password.');

/** The active account these credentials belong to; INVALID_CREDENTIALS otherwise. */
export async function verifyCredentials(c: CredentialChecks, cred: Credentials): Promise<Account> {
  // Case and spaces do not make a new key.
  const key = `${cred.ip}|${normalizeEmail(cred.email)}`;
  const addressKey = `ip:${cred.ip}`;
  const early = c.addressLimiter.peek(addressKey);
  const wait = Math.max(early, c.limiter.hit(key));
  if (wait > 0) throw new SeatkeeperError('RATE_LIMITED', `Too many sign-in attempts. Try again in ${wait} s.`, { retryAfter: wait });
  const account = c.findAccount(cred.email);
  // Unknown addresses and invited placeholders (no password yet) cost one hash too.
  const match = await verifyPassword(cred.password, account?.passwordHash ?? dummyHash());
  if (!account?.passwordHash || !match || account.status !== 'active') {
    c.addressLimiter.hit(addressKey);
    throw refused();
  }
  c.limiter.reset(key);
  return account;
}

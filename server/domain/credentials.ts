// Signing in with an email and a password: the one check that sign-in and accepting an
// invitation with an existing account share. Rate-limited per client address and email; an
// unknown address costs the same hash as a known one, so timing does not tell which exist.
import { SeatkeeperError } from '../../shared/errors.js';
import { DUMMY_HASH, verifyPassword } from '../core/password.js';
import type { RateLimiter } from '../core/rate-limit.js';
import type { Account } from './model.js';

export interface Credentials {
  email: string;
  password: string;
  /** the client address: attempts are counted per address and email */
  ip: string;
}

export interface CredentialChecks {
  findAccount(email: string): Account | undefined;
  limiter: RateLimiter;
  /**
   * For an email with no account, before the generic refusal: throws EMAIL_MISMATCH when it is
   * a near miss of an address the caller may be told about ("did you mean").
   */
  onUnknownEmail(email: string): Promise<void>;
}

/** The active account these credentials belong to; INVALID_CREDENTIALS (or a near-miss hint) otherwise. */
export async function verifyCredentials(c: CredentialChecks, cred: Credentials): Promise<Account> {
  const key = `${cred.ip}|${cred.email}`;
  const wait = c.limiter.hit(key);
  if (wait > 0) throw new SeatkeeperError('RATE_LIMITED', `Too many sign-in attempts. Try again in ${wait} s.`, { retryAfter: wait });
  const account = c.findAccount(cred.email);
  if (!account) {
    await verifyPassword(cred.password, DUMMY_HASH);
    await c.onUnknownEmail(cred.email);
    throw new SeatkeeperError('INVALID_CREDENTIALS', 'Wrong email or password.');
  }
  if (account.status !== 'active' || !(await verifyPassword(cred.password, account.passwordHash))) {
    throw new SeatkeeperError('INVALID_CREDENTIALS', 'Wrong email or password.');
  }
  c.limiter.reset(key);
  return account;
}

// Signing in with an email and a password: the one check that sign-in and accepting an
// invitation with an existing account share. It tells a stranger nothing about which addresses
// exist: one answer for an unknown address, a wrong password and an address not verified yet, no
// "did you mean", nothing written anywhere, and an unknown address costs the same hash as a known one.
import { SeatkeeperError } from '../../shared/errors.js';
import { isVerified } from './account-mail.js';
import { normalizeEmail } from './email-match.js';
import type { Account } from './model.js';

export interface Credentials {
  email: string;
  password: string;
  /** the client address: attempts are counted per address and email, and failures per address */
  ip: string;
}

/** Counts attempts per key (core/rate-limit.ts implements it). */
export interface AttemptLimiter {
  /** counts one attempt; seconds to wait when over the limit, else 0 */
  hit(key: string): number;
  reset(key: string): void;
  /** seconds to wait if one more attempt would be over the limit, without counting one */
  peek(key: string): number;
}

/** Password hashing, injected so the rule stays apart from the crypto (core/password.ts). */
export interface PasswordCheck {
  verify(password: string, hash: string): Promise<boolean>;
  /** a hash at the current cost that matches nothing, for accounts that have none */
  dummyHash(): string;
}

export interface CredentialChecks {
  findAccount(email: string): Account | undefined;
  passwords: PasswordCheck;
  /** attempts per (address, email) */
  limiter: AttemptLimiter;
  /**
   * failed attempts per address, whatever the email: without it every address tried is a fresh
   * key and guessing which addresses exist is unlimited
   */
  addressLimiter: AttemptLimiter;
}

const refused = () => new SeatkeeperError('INVALID_CREDENTIALS', 'Wrong email or password, or the address is not verified yet: follow the link in the mail sent to it, or choose a new password with “Forgot your password?”, which verifies it too.');

/**
 * The active, verified account these credentials belong to; INVALID_CREDENTIALS otherwise. Not
 * verified answers alike: were it let in, registering an address with a password of one's choosing
 * and then signing in with it would tell whether the address had an account already.
 */
export async function verifyCredentials(c: CredentialChecks, cred: Credentials): Promise<Account> {
  // Case and spaces do not make a new key.
  const key = `${cred.ip}|${normalizeEmail(cred.email)}`;
  const addressKey = `ip:${cred.ip}`;
  const early = c.addressLimiter.peek(addressKey);
  const wait = Math.max(early, c.limiter.hit(key));
  if (wait > 0) throw new SeatkeeperError('RATE_LIMITED', `Too many sign-in attempts. Try again in ${wait} s.`, { retryAfter: wait });
  const account = c.findAccount(cred.email);
  // Unknown addresses and invited placeholders (no password yet) cost one hash too.
  const match = await c.passwords.verify(cred.password, account?.passwordHash ?? c.passwords.dummyHash());
  if (!account?.passwordHash || !match || account.status !== 'active' || !isVerified(account)) {
    c.addressLimiter.hit(addressKey);
    throw refused();
  }
  c.limiter.reset(key);
  return account;
}

// Links sent by mail that prove an address: verifying it after registering, and resetting a
// forgotten password. Each is single-use (cleared when used, replaced when sent again),
// short-lived, and stored only as its hash. An address is matched to nothing (a claim, a seat)
// until it is verified.
import { SeatkeeperError } from '../../shared/errors.js';
import type { Account, MailToken } from './model.js';

export type MailTokenKind = 'verify' | 'reset';

/** Verify links live a day (mail can be slow to be read); reset links half an hour. */
export const MAIL_TOKEN_TTL_MS: Record<MailTokenKind, number> = { verify: 24 * 3600 * 1000, reset: 30 * 60 * 1000 };

export function isVerified(account: Pick<Account, 'emailVerifiedAt'>): boolean {
  return account.emailVerifiedAt !== null;
}

export function requireVerified(account: Pick<Account, 'email' | 'emailVerifiedAt'>, what: string): void {
  if (!isVerified(account)) {
    throw new SeatkeeperError('EMAIL_NOT_VERIFIED', `${account.email} has not been verified yet (the link in the verification mail): needed before ${what}.`, { email: account.email });
  }
}

export function applyMailToken(account: Account, kind: MailTokenKind, hash: string, now: number): MailToken {
  const token = { hash, expiresAt: now + MAIL_TOKEN_TTL_MS[kind] };
  account.mailTokens = { ...account.mailTokens, [kind]: token };
  return token;
}

/** The account a link's token belongs to, when it is current; one message for unknown, used and expired. */
export function requireMailToken(accounts: Readonly<Record<string, Account>>, kind: MailTokenKind, hash: string, now: number): Account {
  const account = Object.values(accounts).find((a) => a.mailTokens?.[kind]?.hash === hash);
  const t = account?.mailTokens?.[kind];
  if (!account || !t || t.expiresAt <= now || account.status === 'disabled') {
    throw new SeatkeeperError('NOT_FOUND', kind === 'verify' ? 'This verification link is not valid any more. Sign in and send a new one.' : 'This password reset link is not valid any more. Ask for a new one.');
  }
  return account;
}

/** The link is used: it works once. */
export function consumeMailToken(account: Account, kind: MailTokenKind): void {
  if (!account.mailTokens) return;
  const { [kind]: _used, ...rest } = account.mailTokens;
  account.mailTokens = rest;
}

export function applyVerified(account: Account, now: number): void {
  if (account.emailVerifiedAt === null || account.emailVerifiedAt === undefined) account.emailVerifiedAt = now;
  consumeMailToken(account, 'verify');
}

// Accounts as people make them: registering (optionally linked by a contract's serial number to
// its organization), linking a serial later, and API tokens. `plan*` decides on the documents,
// `apply*` changes them inside the same store transaction.
import { SeatkeeperError } from '../../shared/errors.js';
import type { Account, ApiToken, GlobalDoc, OrgDoc } from './model.js';

/** The account an email or one of its aliases belongs to. */
export function findAccountByEmail(accounts: Readonly<Record<string, Account>>, email: string): Account | undefined {
  for (const a of Object.values(accounts)) if (a.email === email || a.aliases.includes(email)) return a;
  return undefined;
}

export function requireEmailFree(accounts: Readonly<Record<string, Account>>, email: string): void {
  if (findAccountByEmail(accounts, email)) throw new SeatkeeperError('EMAIL_TAKEN', `An account for ${email} exists. Sign in instead.`);
}

/**
 * The organization a serial number links to. The serial index can outlive an organization whose
 * first write failed: that is an unknown serial too, not a 500.
 */
export function requireSerialOrg(g: GlobalDoc, orgOf: (orgId: string) => OrgDoc | undefined, serial: string): OrgDoc {
  const orgId = g.serials[serial.toUpperCase()];
  const doc = orgId ? orgOf(orgId) : undefined;
  if (!doc) throw new SeatkeeperError('UNKNOWN_SERIAL', `The serial number ${serial} belongs to no contract here.`);
  return doc;
}

export interface RegisterPlan {
  account: Account;
  /** the organization its serial linked it to, as a member */
  orgId: string | null;
}

export function planRegister(
  g: GlobalDoc,
  orgOf: (orgId: string) => OrgDoc | undefined,
  input: { id: string; email: string; name: string; passwordHash: string; serial?: string | undefined; now: number },
): RegisterPlan {
  requireEmailFree(g.accounts, input.email);
  const org = input.serial ? requireSerialOrg(g, orgOf, input.serial) : undefined;
  return {
    // Not verified until the link in the mail is followed: matched to nothing before.
    account: { id: input.id, email: input.email, aliases: [], name: input.name, passwordHash: input.passwordHash, status: 'active', createdAt: input.now, emailVerifiedAt: null },
    orgId: org?.org.id ?? null,
  };
}

export function applyRegister(g: GlobalDoc, org: OrgDoc | undefined, plan: RegisterPlan): void {
  g.accounts[plan.account.id] = plan.account;
  if (org) applyLinkSerial(org, plan.account.id, plan.account.createdAt);
}

/** Linking by serial makes the account a member; one already in the organization stays as it is (null). */
export function planLinkSerial(g: GlobalDoc, orgOf: (orgId: string) => OrgDoc | undefined, accountId: string, serial: string): { orgId: string } | null {
  const doc = requireSerialOrg(g, orgOf, serial);
  return doc.members[accountId] ? null : { orgId: doc.org.id };
}

export function applyLinkSerial(doc: OrgDoc, accountId: string, now: number): void {
  doc.members[accountId] = { accountId, role: 'member', joinedAt: now };
}

/** The caller's own token with this id (key: the token's hash, under which it is stored). */
export function requireOwnToken(g: GlobalDoc, accountId: string, tokenId: string): [string, ApiToken] {
  const entry = Object.entries(g.apiTokens).find(([, v]) => v.id === tokenId && v.accountId === accountId);
  if (!entry) throw new SeatkeeperError('NOT_FOUND', 'No such token.');
  return entry;
}

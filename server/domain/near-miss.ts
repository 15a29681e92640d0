// The near-miss check where a typo is made: an admin inviting or assigning an address that is a
// near miss of a member, a pending invitation, an account at the organization's own domains or
// an alias domain is asked "did you mean …?" (409 NEAR_MISS with the candidates) and confirms or
// corrects. It never refuses the person the address belongs to. Accounts elsewhere on the server
// are not candidates: an admin of one organization learns nothing about another's people.
import { SeatkeeperError } from '../../shared/errors.js';
import { aliasDomainCandidates, memberEmails, nearMissesOf, normalizeEmail } from './email-match.js';
import type { Account, OrgDoc } from './model.js';

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/** Addresses of this organization an invited `email` may have been meant to be. */
export function inviteCandidates(doc: OrgDoc, accounts: Readonly<Record<string, Account>>, email: string): string[] {
  const domains = new Set(doc.org.aliasDomains.map(normalizeEmail));
  const known = [
    ...memberEmails(doc, accounts),
    ...Object.values(doc.invitations)
      .filter((i) => i.status === 'pending')
      .map((i) => i.email),
    ...Object.values(accounts)
      .filter((a) => domains.has(domainOf(normalizeEmail(a.email))))
      .map((a) => a.email),
  ];
  const out = new Set([...nearMissesOf(email, known, doc.org.aliasDomains), ...aliasDomainCandidates(email, doc.org.aliasDomains)]);
  out.delete(normalizeEmail(email));
  return [...out].slice(0, 10);
}

/** Other members whose address is a near miss of the member `accountId` a seat is being given to. */
export function assignCandidates(doc: OrgDoc, accounts: Readonly<Record<string, Account>>, accountId: string): string[] {
  const email = accounts[accountId]?.email;
  if (!email) return [];
  const others = Object.keys(doc.members)
    .filter((id) => id !== accountId)
    .map((id) => accounts[id]?.email)
    .filter((e): e is string => !!e);
  return nearMissesOf(email, others, doc.org.aliasDomains).slice(0, 10);
}

/** 409 NEAR_MISS naming the candidates, unless there are none or the admin confirmed. */
export function requireNearMissConfirmed(email: string, candidates: readonly string[], confirmed: boolean | undefined): void {
  if (confirmed || candidates.length === 0) return;
  throw new SeatkeeperError(
    'NEAR_MISS',
    `${email} looks like ${candidates.join(', ')}. Did you mean ${candidates.length === 1 ? 'that address' : 'one of those'}? Correct it, or send again with confirmNearMiss: true.`,
    { email, candidates: [...candidates] },
  );
}

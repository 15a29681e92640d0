// Who may accept an invitation: the owner of the invited address (or of an alias of it), signed
// in or proving it with their password, or a new account for that address. A near miss (a typo:
// john.doe vs johndoe) is refused with "did you mean" and shown to the admins; these rules
// return the refusal and the near miss to record, and the route records it and throws.
import type { AcceptInvitationBody } from '../../shared/api/invitations.js';
import { Password } from '../../shared/api/common.js';
import { SeatkeeperError } from '../../shared/errors.js';
import { findNearMiss, isNearMiss, memberEmails } from './email-match.js';
import type { Account, Invitation, OrgDoc } from './model.js';

export interface Refusal {
  error: SeatkeeperError;
  /** a near miss the admins see in the mismatches list */
  mismatch?: { attempted: string; suggestion: string };
}

/** Null when `account` owns the invited address; otherwise why it may not accept. */
export function invitedEmailRefusal(doc: OrgDoc, inv: Invitation, account: Pick<Account, 'email' | 'aliases'>, how: 'signed-in' | 'password'): Refusal | null {
  if (account.email === inv.email || account.aliases.includes(inv.email)) return null;
  if (isNearMiss(account.email, inv.email, doc.org.aliasDomains)) {
    return {
      error: new SeatkeeperError(
        'EMAIL_MISMATCH',
        `This invitation is for ${inv.email}, not ${account.email}. Did you mean ${inv.email}? Accept it with that address.`,
        { suggestion: inv.email },
      ),
      mismatch: { attempted: account.email, suggestion: inv.email },
    };
  }
  return {
    error: new SeatkeeperError(
      'FORBIDDEN',
      how === 'signed-in'
        ? `This invitation is for ${inv.email}, but you are signed in as ${account.email}. Sign out first, or ask for an invitation to your address.`
        : `This invitation is for ${inv.email}, not ${account.email}.`,
    ),
  };
}

/** Signing in to accept with an address that has no account: "did you mean" the invited address or a member's. */
export function unknownEmailRefusal(doc: OrgDoc, accounts: Readonly<Record<string, Account>>, inv: Invitation, email: string): Refusal | null {
  const suggestion = findNearMiss(email, [inv.email, ...memberEmails(doc, accounts)], doc.org.aliasDomains);
  if (!suggestion) return null;
  return {
    error: new SeatkeeperError('EMAIL_MISMATCH', `There is no account for ${email}. Did you mean ${suggestion}?`, { suggestion }),
    mismatch: { attempted: email, suggestion },
  };
}

/**
 * Before an account is created on accept: an invited address that is a near miss of a member's
 * (jdoe@ when j.doe@ is in the organization) is almost always the member, invited by a typo, and
 * a new account would hold their seats apart from the account they sign in with.
 */
export function nearMissOfMemberRefusal(doc: OrgDoc, accounts: Readonly<Record<string, Account>>, inv: Invitation): Refusal | null {
  const member = findNearMiss(inv.email, memberEmails(doc, accounts), doc.org.aliasDomains);
  if (!member) return null;
  return {
    error: new SeatkeeperError(
      'EMAIL_MISMATCH',
      `${member} is already a member of ${doc.org.name}. Did you mean ${member}? Sign in with that address; ` +
        `an administrator can give it this invitation's team and products, or invite the right address.`,
      { suggestion: member },
    ),
    mismatch: { attempted: inv.email, suggestion: member },
  };
}

/** Accepting needs the password of the account the address already has (or a signed-in session). */
export function requirePasswordGiven(existing: Account | undefined, email: string, body: Pick<AcceptInvitationBody, 'password'>): void {
  if (existing?.passwordHash && !body.password) throw new SeatkeeperError('UNAUTHENTICATED', `An account for ${email} exists: give its password, or sign in first.`);
}

/** An account for the address that has no password is an invited placeholder, completed on accept; any other is disabled. */
export function requireCompletable(existing: Account | undefined, email: string): void {
  if (existing && existing.status !== 'invited') throw new SeatkeeperError('FORBIDDEN', `The account for ${email} is disabled.`);
}

/** The name and password of the account accepting creates (or of the invited placeholder it completes). */
export function requireNewAccount(existing: Account | undefined, body: Pick<AcceptInvitationBody, 'name' | 'password'>): { name: string; password: string } {
  const name = body.name ?? existing?.name;
  if (!name) throw new SeatkeeperError('VALIDATION_FAILED', 'body.name: your name is needed to create your account');
  const pw = Password.safeParse(body.password ?? '');
  if (!pw.success) throw new SeatkeeperError('VALIDATION_FAILED', `body.password: ${pw.error.issues[0]?.message ?? 'invalid'}; choose one to create your account`);
  return { name, password: pw.data };
}

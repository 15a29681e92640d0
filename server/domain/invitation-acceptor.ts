// Who may accept an invitation. The token proves the mailbox it was sent to: whoever holds it
// accepts as that address (signed in as it, with its password, or creating its account),
// whatever other addresses it resembles. Someone signed in (or proving a password) as another
// address gets a choice: accept into this account, when the organization allows it (recorded and
// shown to its admins), or sign out and accept as the invited address.
import type { AcceptInvitationBody } from '../../shared/api/invitations.js';
import { Password } from '../../shared/api/common.js';
import { SeatkeeperError } from '../../shared/errors.js';
import type { Account, Invitation, OrgDoc } from './model.js';

/** Whether `account` is the invited address (or has it as an alias). */
export function ownsInvitedAddress(account: Pick<Account, 'email' | 'aliases'>, inv: Pick<Invitation, 'email'>): boolean {
  return account.email === inv.email || account.aliases.includes(inv.email);
}

/**
 * Organization setting: may an invitation be accepted into an account with another address?
 * Allowed unless turned off: the holder of the token owns the invited mailbox and the account
 * proved itself, and the admins see every such acceptance; an organization that wants seats tied
 * to the exact address turns it off.
 */
export function acceptIntoOtherAccountAllowed(doc: OrgDoc): boolean {
  return doc.org.settings.acceptIntoOtherAccount !== false;
}

/**
 * For an account with another address than the invitation's: throws INVITED_OTHER_ADDRESS (the
 * choice) until the caller chooses to accept into this account, FORBIDDEN when the organization
 * does not allow it. Returns when the acceptance goes ahead into `account`.
 */
export function requireOtherAccountChoice(doc: OrgDoc, inv: Invitation, account: Pick<Account, 'email' | 'aliases'>, chosen: boolean | undefined): void {
  if (ownsInvitedAddress(account, inv)) return;
  const allowed = acceptIntoOtherAccountAllowed(doc);
  const details = { invitedEmail: inv.email, accountEmail: account.email, acceptIntoThisAccountAllowed: allowed };
  if (!allowed) {
    throw new SeatkeeperError(
      'FORBIDDEN',
      `This invitation was sent to ${inv.email}, and ${doc.org.name} accepts invitations only as the invited address. Sign out, then accept it as ${inv.email}.`,
      details,
    );
  }
  if (!chosen) {
    throw new SeatkeeperError(
      'INVITED_OTHER_ADDRESS',
      `This invitation was sent to ${inv.email}; you are ${account.email}. Accept it into this account (your administrators will see that), or sign out and accept it as ${inv.email}.`,
      details,
    );
  }
}

/** Accepting needs the password of the account the address already has (or a signed-in session). */
export function requirePasswordGiven(existing: Account | undefined, email: string, body: Pick<AcceptInvitationBody, 'password'>): void {
  if (existing?.passwordHash && !body.password) throw new SeatkeeperError('UNAUTHENTICATED', `An account for ${email} exists: give its password, or sign in first.`);
}

/**
 * An account for the address that accepting completes: an invited placeholder (no password yet),
 * or one registered but never verified (anyone may register any address; the token holder owns
 * the mailbox). A disabled account is never completed.
 */
export function requireCompletable(existing: Account | undefined, email: string): void {
  if (!existing || existing.status === 'invited') return;
  if (existing.status === 'active' && existing.emailVerifiedAt === null) return;
  throw new SeatkeeperError('FORBIDDEN', `The account for ${email} is disabled.`);
}

/** The name and password of the account accepting creates (or of the invited placeholder it completes). */
export function requireNewAccount(existing: Account | undefined, body: Pick<AcceptInvitationBody, 'name' | 'password'>): { name: string; password: string } {
  const name = body.name ?? existing?.name;
  if (!name) throw new SeatkeeperError('VALIDATION_FAILED', 'body.name: your name is needed to create your account');
  const pw = Password.safeParse(body.password ?? '');
  if (!pw.success) throw new SeatkeeperError('VALIDATION_FAILED', `body.password: ${pw.error.issues[0]?.message ?? 'invalid'}; choose one to create your account`);
  return { name, password: pw.data };
}

// The "Your Seatkeeper permissions have changed" mail: every change of what a person may use or
// manage (role, membership, teams, seats, a method switch's auto-assignment) sends one, after
// the change is durable.
import type { ActivationMethod } from '../domain/model.js';
import type { Services } from '../core/services.js';
import { renderMail } from './template.js';

export const PERMISSIONS_SUBJECT = 'Your Seatkeeper permissions have changed';

/** Mails `accountId` the changes, one per line. The mailer logs a failed send; this never throws. */
export async function mailPermissionsChanged(s: Services, accountId: string, orgName: string, changes: string[]): Promise<void> {
  const account = s.store.global().accounts[accountId];
  if (!account || changes.length === 0) return;
  await s.mailer.send(
    renderMail({
      to: account.email,
      subject: PERMISSIONS_SUBJECT,
      greeting: `Hello ${account.name},`,
      blocks: [`your permissions in ${orgName} have changed:`, { list: changes }, 'See what you may use now under My products:', { label: 'Sign in to Seatkeeper', link: s.publicUrl() }],
    }),
  );
}

/** The line for a seat given: `what` names the product and contract. */
export function seatGiven(what: string, method: ActivationMethod): string {
  const how =
    method === 'named-user'
      ? 'sign in with your Seatkeeper account on an enrolled workstation to use it'
      : "it is available on enrolled devices activated with the contract's serial number";
  return `You were given a seat of ${what}: ${how}.`;
}

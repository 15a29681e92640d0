// The invitation mail: who invites whom to what, and the single-use link. Sent by the invitations
// route and by the bulk import, worded once here.
import { findLine } from '../domain/seats.js';
import type { Account, Invitation, OrgDoc } from '../domain/model.js';
import type { MailMessage } from '../core/mailer.js';
import type { Services } from '../core/services.js';
import { recordInvitationMail } from './invitation-mail-status.js';
import { renderMail } from './template.js';

export function invitationMail(publicUrl: string, doc: OrgDoc, inv: Invitation, token: string, inviter: Account): MailMessage {
  const link = `${publicUrl}/accept?token=${encodeURIComponent(token)}`;
  const products = inv.lineIds.map((id) => findLine(doc, id)?.line.productCode).filter((c): c is string => !!c);
  const team = inv.teamId ? doc.teams[inv.teamId] : undefined;
  const as = inv.role === 'member' ? 'a member' : `an ${inv.role}`;
  return renderMail({
    to: inv.email,
    subject: `You are invited to ${doc.org.name} on Seatkeeper`,
    greeting: 'Hello,',
    blocks: [
      [
        `${inviter.name} (${inviter.email}) invites you to ${doc.org.name} on Seatkeeper as ${as}.`,
        ...(team ? [`You will join the team ${team.name}.`] : []),
        ...(products.length ? [`Products waiting for you: ${products.join(', ')}.`] : []),
      ].join('\n'),
      { label: 'Accept the invitation', link },
      { note: `The link works once and expires on ${new Date(inv.expiresAt).toISOString().slice(0, 16).replace('T', ' ')} UTC.` },
    ],
  });
}

/** Sends it and keeps the outcome on the invitation ("mail not sent", with resend); returns the invitation as it now is. */
export async function sendInvitationMail(s: Services, doc: OrgDoc, inv: Invitation, token: string, inviter: Account): Promise<Invitation> {
  return recordInvitationMail(s, doc.org.id, inv, await s.mailer.trySend(invitationMail(s.publicUrl(), doc, inv, token, inviter)), inviter.id);
}

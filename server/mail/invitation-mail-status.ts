// Whether an invitation's mail went out, kept on the invitation: a mail lost to a full disk or a
// refused hand-over is shown to the admins as "mail not sent" (with resend), never only logged.
import type { MailOutcome } from '../core/mailer.js';
import type { Services } from '../core/services.js';
import { auditEvent } from '../domain/audit.js';
import type { Invitation } from '../domain/model.js';

/** Records the outcome on the stored invitation when it changes what is shown; returns the invitation as it now is. */
export async function recordInvitationMail(s: Services, orgId: string, inv: Invitation, outcome: MailOutcome, actorId: string): Promise<Invitation> {
  const notSent = outcome.sent ? null : s.clock();
  if (!notSent && !inv.mailNotSentAt) return inv;
  try {
    return await s.store.tx((t) => {
      const stored = t.org(orgId)?.invitations[inv.id];
      if (!stored) return inv;
      stored.mailNotSentAt = notSent;
      if (!outcome.sent) t.audit(auditEvent(s.ids, notSent!, orgId, actorId, 'invitation.mail-not-sent', inv.id, null, { reason: outcome.reason }));
      return { ...stored, lineIds: [...stored.lineIds] };
    });
  } catch (e) {
    // The store may be what failed (the same full disk): the caller is still told.
    s.log.warn('could not record an invitation mail outcome', { invitationId: inv.id, error: (e as Error).message });
    return { ...inv, mailNotSentAt: notSent };
  }
}

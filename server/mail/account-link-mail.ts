// The mails carrying an account's single-use links: verify the address after registering, and
// reset a forgotten password (server/domain/account-mail.ts keeps the tokens).
import type { MailMessage } from '../core/mailer.js';
import type { MailTokenKind } from '../domain/account-mail.js';
import { renderMail } from './template.js';

/** Where each link leads in the portal. */
export const MAIL_LINK_PATHS: Record<MailTokenKind, string> = { verify: '/verify-email', reset: '/reset-password' };

export const MAIL_LINK_SUBJECTS: Record<MailTokenKind, string> = {
  verify: 'Verify your email address for Seatkeeper',
  reset: 'Reset your Seatkeeper password',
};

/** The mail with `link` (already carrying its token), valid `ttlMinutes`. */
export function accountLinkMail(kind: MailTokenKind, to: string, link: string, ttlMinutes: number): MailMessage {
  const subject = MAIL_LINK_SUBJECTS[kind];
  if (kind === 'verify') {
    return renderMail({
      to,
      subject,
      greeting: 'Hello,',
      blocks: [
        'Someone (we hope you) created a Seatkeeper account with this address.',
        { label: 'Verify your address', link },
        { note: `The link works once and for ${ttlMinutes / 60} hours. If it was not you, ignore this mail.` },
      ],
    });
  }
  return renderMail({
    to,
    subject,
    greeting: 'Hello,',
    blocks: [
      'Someone (we hope you) asked to reset the password of the Seatkeeper account with this address.',
      { label: 'Choose a new password', link },
      { note: `The link works once and for ${ttlMinutes} minutes. If it was not you, ignore this mail: your password stays as it is.` },
    ],
  });
}

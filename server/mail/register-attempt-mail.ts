// The mail to the holder of an address someone tried to register again (register answers alike for
// known and unknown addresses, so the person who typed it learns nothing; the holder is told here).
// Nothing the registrant typed goes into it.
import type { MailMessage } from '../core/mailer.js';
import { renderMail } from './template.js';

export const REGISTER_ATTEMPT_SUBJECT = 'Someone tried to create a Seatkeeper account with your address';

/** `base`: the portal's public URL. */
export function registerAttemptMail(to: string, base: string): MailMessage {
  return renderMail({
    to,
    subject: REGISTER_ATTEMPT_SUBJECT,
    greeting: 'Hello,',
    blocks: [
      'Someone (perhaps you) tried to create a Seatkeeper account with this address. It has an account already, so no new one was made and nothing was changed.',
      { label: 'Sign in', link: `${base}/sign-in` },
      { label: 'Forgot your password? Choose a new one', link: `${base}/forgot-password` },
      { note: 'If it was not you, ignore this mail: your account stays as it is.' },
    ],
  });
}

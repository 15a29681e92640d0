// What the rest of the server knows of mail: a message, where it goes, and something that sends it.
// The nodemailer implementation lives in server/mail/; core and the domain depend only on this.

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** the same content as HTML (server/mail/template.ts); made from the text when absent */
  html?: string;
}

export type MailConfig =
  | { kind: 'outbox'; dir: string; from?: string }
  | { kind: 'smtp'; host: string; port: number; secure?: boolean; user?: string; pass?: string; from?: string };

/** sent: written to the outbox, or accepted for SMTP delivery (which then runs in the background). */
export type MailOutcome = { sent: true } | { sent: false; reason: string };

export interface Mailer {
  /** Sends; a failure is logged, never thrown. */
  send(msg: MailMessage): Promise<void>;
  /** As send, and says whether the mail was written or handed over (invitations show "mail not sent"). */
  trySend(msg: MailMessage): Promise<MailOutcome>;
  close(): void;
}

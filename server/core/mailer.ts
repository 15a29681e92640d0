// What the rest of the server knows of mail: a message, where it goes, and something that sends it.
// The nodemailer implementation lives in server/mail/; core and the domain depend only on this.

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export type MailConfig =
  | { kind: 'outbox'; dir: string; from?: string }
  | { kind: 'smtp'; host: string; port: number; secure?: boolean; user?: string; pass?: string; from?: string };

export interface Mailer {
  send(msg: MailMessage): Promise<void>;
  close(): void;
}

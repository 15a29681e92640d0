// Outgoing mail through nodemailer: .eml files in an outbox folder by default, SMTP by config.
// Mail is sent after the change it reports is durable; a failed send is logged, never undoes it.
import nodemailer from 'nodemailer';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';

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

export function createMailer(config: MailConfig, log: Logger): Mailer {
  const from = config.from ?? 'Seatkeeper <seatkeeper@localhost>';
  if (config.kind === 'outbox') {
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    let n = 0;
    return {
      async send(msg) {
        try {
          const info = await transport.sendMail({ from, ...msg });
          await mkdir(config.dir, { recursive: true });
          const name = `${Date.now()}-${process.pid}-${n++}.eml`;
          await writeFile(join(config.dir, name), info.message as Buffer);
          log.info('mail written to outbox', { to: msg.to, subject: msg.subject, file: name });
        } catch (err) {
          log.error('mail could not be written', { to: msg.to, subject: msg.subject, error: (err as Error).message });
        }
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure ?? false,
    ignoreTLS: !config.secure,
    ...(config.user ? { auth: { user: config.user, pass: config.pass ?? '' } } : {}),
  });
  return {
    async send(msg) {
      try {
        await transport.sendMail({ from, ...msg });
        log.info('mail sent', { to: msg.to, subject: msg.subject });
      } catch (err) {
        log.error('mail could not be sent', { to: msg.to, subject: msg.subject, error: (err as Error).message });
      }
    },
    close: () => transport.close(),
  };
}

// Outgoing mail through nodemailer: .eml files in an outbox folder by default, SMTP by config.
// Mail is sent after the change it reports is durable; a failed send is logged, never undoes it.
import nodemailer from 'nodemailer';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/log.js';
import type { MailConfig, Mailer, MailMessage, MailOutcome } from '../core/mailer.js';
import { htmlFromText } from './template.js';

export type { MailConfig, MailMessage, MailOutcome, Mailer } from '../core/mailer.js';

/** Every mail goes out as multipart/alternative: plain text first, then HTML. */
function withHtml(msg: MailMessage): MailMessage {
  return msg.html ? msg : { ...msg, html: htmlFromText(msg.subject, msg.text) };
}

export function createMailer(config: MailConfig, log: Logger): Mailer {
  const from = config.from ?? 'Seatkeeper <seatkeeper@localhost>';
  if (config.kind === 'outbox') {
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    let n = 0;
    const trySend = async (msg: MailMessage): Promise<MailOutcome> => {
      try {
        const info = await transport.sendMail({ from, ...withHtml(msg) });
        // Mails carry live invitation links: for the service account only.
        await mkdir(config.dir, { recursive: true, mode: 0o700 });
        const name = `${Date.now()}-${process.pid}-${n++}.eml`;
        await writeFile(join(config.dir, name), info.message as Buffer, { mode: 0o600 });
        log.info('mail written to outbox', { to: msg.to, subject: msg.subject, file: name });
        return { sent: true };
      } catch (err) {
        log.error('mail could not be written', { to: msg.to, subject: msg.subject, error: (err as Error).message });
        return { sent: false, reason: (err as NodeJS.ErrnoException).code ?? 'write failed' };
      }
    };
    return {
      trySend,
      send: async (msg) => void (await trySend(msg)),
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({
    // A few connections, reused: a bulk import's thousands of invitations (or a switch warning to
    // everyone using a product) queue for them rather than open thousands of connections at once.
    pool: true,
    maxConnections: 4,
    maxMessages: 100,
    host: config.host,
    port: config.port,
    secure: config.secure ?? false,
    ignoreTLS: !config.secure,
    // An SMTP server that does not answer must not hold anything up for long.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    ...(config.user ? { auth: { user: config.user, pass: config.pass ?? '' } } : {}),
  });
  // Delivery runs in the background: the admin's request is answered once the change is durable,
  // not when a remote mail server has said yes. A failed send is retried twice, then logged.
  const pending = new Set<Promise<void>>();
  const deliver = async (msg: MailMessage) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await transport.sendMail({ from, ...withHtml(msg) });
        log.info('mail sent', { to: msg.to, subject: msg.subject });
        return;
      } catch (err) {
        if (attempt >= 3 || closed) {
          log.error('mail could not be sent', { to: msg.to, subject: msg.subject, error: (err as Error).message });
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  };
  let closed = false;
  const trySend = async (msg: MailMessage): Promise<MailOutcome> => {
    if (closed) return { sent: false, reason: 'mailer closed' };
    const p = deliver(msg).finally(() => pending.delete(p));
    pending.add(p);
    return { sent: true };
  };
  return {
    trySend,
    send: async (msg) => void (await trySend(msg)),
    close: () => {
      closed = true;
      void Promise.allSettled([...pending]).then(() => transport.close());
    },
  };
}

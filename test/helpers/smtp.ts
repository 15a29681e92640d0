// A real SMTP server on 127.0.0.1 that keeps what it receives, parsed.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  /** the HTML part, '' when the mail had none */
  html: string;
}

export interface TestSmtp {
  port: number;
  mails: ReceivedMail[];
  waitFor(pred: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/** Every running test SMTP server by port: a test server sending to one reads its mail there (startTestServer). */
export const smtpByPort = new Map<number, TestSmtp>();

export async function startSmtp(): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          });
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const box: TestSmtp = {
    port,
    mails,
    async waitFor(pred, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const m = mails.find(pred);
        if (m) return m;
        if (Date.now() > end) throw new Error(`no matching mail within ${timeoutMs} ms; got: ${mails.map((x) => `${x.to} ${x.subject}`).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => {
      smtpByPort.delete(port);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  smtpByPort.set(port, box);
  return box;
}

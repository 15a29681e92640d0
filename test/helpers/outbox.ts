// Reads the mails a test server wrote to its outbox (the default mailer), as a person reads their
// inbox: the tests follow the links in real mails, never a backdoor in the server.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';

export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
}

/** The mails in `dataDir`/outbox (or in `dataDir` itself when `isOutbox`), oldest first. */
export async function readOutbox(dataDir: string, isOutbox = false): Promise<OutboxMail[]> {
  const dir = isOutbox ? dataDir : join(dataDir, 'outbox');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  const out: OutboxMail[] = [];
  for (const n of names) {
    const m = await simpleParser(await readFile(join(dir, n)));
    const to = Array.isArray(m.to) ? m.to.map((a) => a.text).join(', ') : (m.to?.text ?? '');
    out.push({ to, subject: m.subject ?? '', text: m.text ?? '' });
  }
  return out;
}

/** The newest mail to `to` matching `subject`, waiting for it to be written (written before the reply, so briefly at most). */
export async function waitForMail(dataDir: string, to: string, subject: RegExp, skip = 0, isOutbox = false): Promise<OutboxMail> {
  for (let i = 0; i < 200; i++) {
    const found = (await readOutbox(dataDir, isOutbox)).filter((m) => m.to.includes(to) && subject.test(m.subject));
    if (found.length > skip) return found[found.length - 1]!;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

/** The value of `param` in the first link of the mail with that query parameter. */
export function linkParam(mail: OutboxMail, param: string): string {
  const m = mail.text.match(new RegExp(`[?&]${param}=([^\\s&]+)`));
  if (!m) throw new Error(`no ${param} link in: ${mail.text}`);
  return decodeURIComponent(m[1]!);
}

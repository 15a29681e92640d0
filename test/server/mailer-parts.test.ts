// The mailer sends every mail as multipart/alternative (plain text first, then HTML), also a mail
// its caller wrote as text only: read back from the outbox it writes, as a mail client would.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/core/log.js';
import { createMailer } from '../../server/mail/mailer.js';
import { renderMail } from '../../server/mail/template.js';
import { textWords, visibleWords } from '../helpers/mail-parts.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function sendAndRead(msg: Parameters<ReturnType<typeof createMailer>['send']>[0]) {
  const dir = await mkdtemp(join(tmpdir(), 'sk-mailer-'));
  dirs.push(dir);
  const mailer = createMailer({ kind: 'outbox', dir }, createLogger({ level: 'error' }));
  expect(await mailer.trySend(msg)).toEqual({ sent: true });
  mailer.close();
  const [file] = await readdir(dir);
  const raw = await readFile(join(dir, file!), 'utf8');
  return { raw, parsed: await simpleParser(raw) };
}

describe('mailer', () => {
  it('sends a templated mail as multipart/alternative, the text part first', async () => {
    const { raw, parsed } = await sendAndRead(renderMail({ to: 'ann@acme.test', subject: 'Hi', greeting: 'Hello Ann,', blocks: ['One <two>.', { label: 'Open', link: 'https://seats.acme.test/' }] }));
    expect(raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(raw.search(/Content-Type: text\/plain/i)).toBeLessThan(raw.search(/Content-Type: text\/html/i));
    expect(visibleWords(parsed.html as string)).toEqual(textWords(parsed.text!));
    expect(parsed.html).toContain('One &lt;two&gt;.');
  });

  it('gives a text-only mail an HTML part made from its text, escaped', async () => {
    const { raw, parsed } = await sendAndRead({ to: 'ann@acme.test', subject: 'Plain', text: 'Hello <Ann>,\n\nA line\nand another & more.' });
    expect(raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(parsed.text).toBe('Hello <Ann>,\n\nA line\nand another & more.');
    expect(parsed.html).toContain('Hello &lt;Ann&gt;,');
    expect(parsed.html).toContain('A line<br>and another &amp; more.');
    expect(visibleWords(parsed.html as string)).toEqual(textWords(parsed.text!));
  });
});

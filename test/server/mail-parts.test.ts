// Every mail people get arrives as HTML and plain text saying the same thing, read back from a
// real SMTP server with mailparser; names people typed are shown, never run as markup.
import { describe, expect, it } from 'vitest';
import { Client, uniqueEmail } from '../helpers/client.js';
import { addMembers, clientFor } from '../helpers/fixtures.js';
import { htmlLinks, textWords, visibleWords } from '../helpers/mail-parts.js';
import { REGISTER_ATTEMPT_SUBJECT } from '../../server/mail/register-attempt-mail.js';
import { PERMISSIONS, serverWithSmtp } from '../helpers/mail-suite.js';
import { seedOrg, type TestServer } from '../helpers/server.js';
import type { ReceivedMail, TestSmtp } from '../helpers/smtp.js';

let smtp: TestSmtp;
/** Mail goes through a real SMTP server in the background: an upper bound on two busy cores, not a figure. */
const MAIL_WAIT_MS = 15_000;
let server: TestServer;
serverWithSmtp((started) => ({ server, smtp } = started));

const EVIL = 'Eve <script>alert("x")</script> & <img src=http://evil.test/p.png>';

/** Both parts present, the same words in the same order, nothing remote and nothing executable. */
function expectReadableParts(mail: ReceivedMail): void {
  expect(mail.text.length).toBeGreaterThan(0);
  expect(mail.html).toMatch(/^<!DOCTYPE html>/);
  expect(visibleWords(mail.html)).toEqual(textWords(mail.text));
  expect(mail.html).not.toMatch(/<script|<img|<link|<iframe|url\(|@import/i);
  for (const href of htmlLinks(mail.html)) {
    expect(href).toMatch(/^https?:\/\//);
    expect(mail.text).toContain(href);
  }
}

/** Members written straight into the store (registration is not what is tested here), named as given. */
async function person(orgId: string, name: string, role: 'owner' | 'member' = 'member', verified = true) {
  const [p] = await addMembers(server, orgId, 1, role);
  await server.services.store.tx((t) => {
    const a = t.global().accounts[p!.id]!;
    a.name = name;
    if (!verified) a.emailVerifiedAt = null;
  });
  return { ...p!, client: await clientFor(server, p!.id) };
}

async function evilOwner() {
  const org = await seedOrg(server);
  const o = await person(org.orgId, EVIL, 'owner');
  return { org, o, base: `/api/v1/orgs/${org.orgId}` };
}

describe('mail people can read', { timeout: 60_000 }, () => {
  it('sends the invitation as HTML and text; the inviter and team names typed with markup are escaped', async () => {
    const { o, base } = await evilOwner();
    const team = await o.client.post(`${base}/teams`, { name: 'Bridges <b>bold</b>' });
    expect(team.status).toBe(201);
    const email = uniqueEmail('invitee');
    expect((await o.client.post(`${base}/invitations`, { email, role: 'member', lineIds: [], teamId: team.body.id })).status).toBe(201);
    const mail = await smtp.waitFor((m) => m.to.includes(email) && /invited/.test(m.subject), MAIL_WAIT_MS);
    expectReadableParts(mail);
    expect(mail.text).toContain(EVIL);
    expect(mail.text).toContain('You will join the team Bridges <b>bold</b>.');
    expect(mail.html).toContain('Eve &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=http://evil.test/p.png&gt;');
    expect(mail.html).toContain('Bridges &lt;b&gt;bold&lt;/b&gt;');
    expect(htmlLinks(mail.html)).toContain(mail.text.match(/(http:\/\/\S+\/accept\?token=\S+)/)![1]);
  });

  it('sends "permissions changed" as HTML and text with the escaped name of the person', async () => {
    const { o, base, org } = await evilOwner();
    const ann = await person(org.orgId, 'Ann <script>x()</script>');
    expect((await o.client.put(`${base}/members/${ann.id}/role`, { role: 'admin' })).status).toBe(200);
    const mail = await smtp.waitFor((m) => m.to.includes(ann.email) && m.subject === PERMISSIONS && /from member to admin/.test(m.text), MAIL_WAIT_MS);
    expectReadableParts(mail);
    expect(mail.text).toContain('Hello Ann <script>x()</script>,');
    expect(mail.html).toContain('Hello Ann &lt;script&gt;x()&lt;/script&gt;,');
  });

  it('sends the address verification, the password reset and the register-attempt notice as HTML and text', async () => {
    const org = await seedOrg(server);
    const { email, client } = await person(org.orgId, EVIL, 'member', false);
    expect((await client.post('/api/v1/me/verification', {})).status).toBe(200);
    const verify = await smtp.waitFor((m) => m.to.includes(email) && /Verify your email/.test(m.subject), MAIL_WAIT_MS);
    expectReadableParts(verify);
    expect(htmlLinks(verify.html)[0]).toMatch(/\/verify-email\?token=skv/);

    expect((await new Client(server.url).post('/api/v1/auth/password-reset', { email })).status).toBeLessThan(300);
    const reset = await smtp.waitFor((m) => m.to.includes(email) && /Reset your Seatkeeper password/.test(m.subject), MAIL_WAIT_MS);
    expectReadableParts(reset);
    expect(htmlLinks(reset.html)[0]).toMatch(/\/reset-password\?token=skr/);

    // Someone registering the same address again: its holder is told, in both parts too.
    const again = await new Client(server.url).post('/api/v1/auth/register', { email, password: 'another horse battery', name: 'Mallory <i>' });
    expect(again.status).toBe(202);
    const attempt = await smtp.waitFor((m) => m.to.includes(email) && m.subject === REGISTER_ATTEMPT_SUBJECT, MAIL_WAIT_MS);
    expectReadableParts(attempt);
    expect(attempt.text).not.toContain('Mallory');
  });
});

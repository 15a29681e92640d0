// A contract's term ending (an end date moved into the past) takes away what its seats gave, so
// everyone holding one of its seats gets the "permissions have changed" mail; when the term is
// extended again they get another. Read from a real SMTP server.
import { describe, expect, it } from 'vitest';
import { registered } from '../helpers/client.js';
import { PERMISSIONS, serverWithSmtp } from '../helpers/mail-suite.js';
import { ownedOrg, type TestServer } from '../helpers/server.js';
import type { TestSmtp } from '../helpers/smtp.js';

let server: TestServer;
let smtp: TestSmtp;
serverWithSmtp((started) => ({ server, smtp } = started));

const DAY = 24 * 3600 * 1000;

describe('contract term and mail', () => {
  it('mails every seat holder when the contract ends, naming the contract and their products, and again when it is extended', async () => {
    const { org, o, base } = await ownedOrg(server);
    // Every mail the server hands over, as it hands it over (delivery then runs in the background).
    const handed: string[] = [];
    const mailer = server.services.mailer;
    const send = mailer.send.bind(mailer);
    mailer.send = async (msg) => {
      if (/Contract /.test(msg.text)) handed.push(msg.to);
      return send(msg);
    };
    const [alice, bob, carol] = await Promise.all(['Alice', 'Bob', 'Carol'].map((name) => registered(server.url, { serial: org.serial, name })));
    for (const [who, code] of [[alice, 'SW-PREMIUM'], [alice, 'BIM-COLLAB'], [bob, 'SW-PREMIUM']] as const) {
      expect((await o.client.post(`${base}/assignments`, { lineId: org.line(code).id, accountId: who!.accountId })).status).toBe(201);
    }
    const about = (email: string, word: RegExp) => (m: { to: string[]; subject: string; text: string }) => m.to.includes(email) && m.subject === PERMISSIONS && word.test(m.text);

    const ended = await o.client.patch(`${base}/contracts/${org.contract.id}`, { startsAt: Date.now() - 30 * DAY, endsAt: Date.now() - 1000 });
    expect(ended.status).toBe(200);
    expect(ended.body.active).toBe(false);
    const toAlice = await smtp.waitFor(about(alice!.email, /ended/));
    expect(toAlice.text).toContain(`Contract ${org.contract.number} ended: your seats of BIM Collaborate Pro, SOLIDWORKS Premium no longer grant access.`);
    expect(toAlice.text).toContain(org.name);
    const toBob = await smtp.waitFor(about(bob!.email, /ended/));
    expect(toBob.text).toContain(`Contract ${org.contract.number} ended: your seat of SOLIDWORKS Premium no longer grants access.`);

    // A change that keeps the contract ended mails no one again.
    expect((await o.client.patch(`${base}/contracts/${org.contract.id}`, { number: `${org.contract.number}-X` })).status).toBe(200);
    const extended = await o.client.patch(`${base}/contracts/${org.contract.id}`, { endsAt: Date.now() + 365 * DAY });
    expect(extended.body.active).toBe(true);
    const again = await smtp.waitFor(about(bob!.email, /active again/));
    expect(again.text).toContain(`Contract ${org.contract.number}-X is active again: your seat of SOLIDWORKS Premium grants access again.`);
    await smtp.waitFor(about(alice!.email, /active again/));

    // Only seat holders hear of it; the owner and Carol hold none. The requests hand their mail over
    // before they answer, so what was handed over is the whole of it: nothing else is on its way.
    mailer.send = send;
    expect(handed.sort()).toEqual([alice!.email, alice!.email, bob!.email, bob!.email].sort());
    const mailsTo = (email: string) => smtp.mails.filter((m) => m.to.includes(email) && /Contract /.test(m.text));
    expect(mailsTo(carol!.email)).toEqual([]);
    expect(mailsTo(o.email)).toEqual([]);
    expect(mailsTo(alice!.email)).toHaveLength(2);
    expect(mailsTo(bob!.email)).toHaveLength(2);
  });
});

// An invitation whose mail is lost (issue 14 §9): on a full disk it answered 201 and the mail was
// only logged. Replayed with an outbox that cannot be written: the caller is told, the invitation
// shows "mail not sent", and a resend once the outbox works clears it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let outbox: string;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sk-mailfail-'));
  outbox = join(dataDir, 'outbox');
  server = await startTestServer({ dataDir, mail: { kind: 'outbox', dir: outbox } });
});

/** A file where the outbox folder should be: every mail write fails, as on a full disk. */
async function breakOutbox(): Promise<void> {
  await rm(outbox, { recursive: true, force: true });
  await writeFile(outbox, 'not a folder');
}
afterAll(async () => {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('an invitation whose mail cannot be sent', () => {
  it('is created, reported as mail not sent, listed so, audited; a resend that works clears it', async () => {
    // The owner verifies their address by mail first; then the disk fills up.
    const { o, base } = await ownedOrg(server);
    await breakOutbox();
    const created = await o.client.post(`${base}/invitations`, { email: `lost.${Date.now()}@acme.test`, role: 'member' });
    expect(created.status).toBe(201);
    expect(created.body.mailSent).toBe(false);
    const list = await o.client.get(`${base}/invitations`);
    expect(list.body.invitations.find((i: { id: string }) => i.id === created.body.id).mailSent).toBe(false);
    const audit = await o.client.get(`${base}/audit?action=invitation.mail-not-sent`);
    expect(audit.body.events.some((e: { target: string }) => e.target === created.body.id)).toBe(true);

    await rm(outbox, { force: true });
    const resent = await o.client.post(`${base}/invitations/${created.body.id}/resend`);
    expect(resent.status).toBe(200);
    expect(resent.body.mailSent).toBe(true);
    const after = await o.client.get(`${base}/invitations`);
    expect(after.body.invitations.find((i: { id: string }) => i.id === created.body.id).mailSent).toBe(true);
  });
});

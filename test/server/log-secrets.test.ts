// No secret reaches the server's log: passwords, session cookies, API tokens, invitation tokens
// and enrollment tokens (nor their stored hashes) appear in no line, at the most verbose level,
// through registration, sign-in, token creation and use, invitations and enrollment.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import winston from 'winston';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_ENROLL_PATH } from '../../shared/api/agent-enroll.js';
import { hashSecret } from '../../server/core/ids.js';
import { Client, uniqueEmail, verifyByMail } from '../helpers/client.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

const lines: string[] = [];
/** The logger the server gets: the same JSON format as server/log.ts, every level, kept in memory. */
const logger = winston.createLogger({
  level: 'silly',
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  transports: [
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _enc, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    }),
  ],
});

let server: TestServer;
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
  server = await startTestServer({ mail: { kind: 'smtp', host: '127.0.0.1', port: smtp.port } }, { logger });
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

/** Waits for `ready` (polling; the test's own timeout bounds it). */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((r) => setTimeout(r, 10));
}

const cookieValue = (c: Client) => decodeURIComponent(c.cookie!.slice(c.cookie!.indexOf('=') + 1));

describe('the server log', () => {
  it('holds no password, session cookie, API token, invitation token or enrollment token', async () => {
    const secrets: Array<[string, string]> = [];
    const org = await seedOrg(server);
    const base = `/api/v1/orgs/${org.orgId}`;

    // Register and claim; sign in again, once with a wrong password first.
    const ownerEmail = uniqueEmail('logowner');
    const ownerPassword = 'owner password 5f3a9c';
    const admin = new Client(server.url);
    expect((await admin.post('/api/v1/auth/register', { email: ownerEmail, password: ownerPassword, name: 'Olga', serial: org.serial })).status).toBe(202);
    secrets.push(['register password', ownerPassword]);
    secrets.push(['email verification token', await verifyByMail(server.url, ownerEmail)]);
    expect((await admin.post('/api/v1/auth/sign-in', { email: ownerEmail, password: ownerPassword })).status).toBe(200);
    secrets.push(['first session', cookieValue(admin)]);
    expect((await admin.post(`${base}/claim`, { confirmOrgName: org.name, acceptTerms: true, responsibleForLicenses: true })).status).toBe(200);
    const wrongPassword = 'wrong password 88e1d0';
    expect((await new Client(server.url).post('/api/v1/auth/sign-in', { email: ownerEmail, password: wrongPassword })).status).toBe(401);
    secrets.push(['mistyped password', wrongPassword]);
    const second = new Client(server.url);
    expect((await second.post('/api/v1/auth/sign-in', { email: ownerEmail, password: ownerPassword })).status).toBe(200);
    secrets.push(['sign-in session', cookieValue(second)]);

    // An API token, used by a script (which also records its last use).
    const tok = await admin.post('/api/v1/me/tokens', { name: 'ci script' });
    expect(tok.status).toBe(201);
    secrets.push(['API token', tok.body.token]);
    const script = new Client(server.url);
    script.bearer = tok.body.token;
    expect((await script.get('/api/v1/me')).status).toBe(200);

    // An invitation, mailed, previewed and accepted by a new person who sets a password.
    const invitee = uniqueEmail('loginvitee');
    expect((await script.post(`${base}/invitations`, { email: invitee, role: 'member', lineIds: [org.line('SW-PREMIUM').id] })).status).toBe(201);
    const mail = await smtp.waitFor((m) => m.to.includes(invitee) && /invited/.test(m.subject));
    const inviteToken = decodeURIComponent(mail.text.match(/\/accept\?token=(\S+)/)![1]!);
    secrets.push(['invitation token', inviteToken]);
    expect((await new Client(server.url).post('/api/v1/invitations/preview', { token: inviteToken })).status).toBe(200);
    const inviteePassword = 'invitee password 0b7e44';
    const accepter = new Client(server.url);
    expect((await accepter.post('/api/v1/invitations/accept', { token: inviteToken, name: 'Ivan', password: inviteePassword })).status).toBe(200);
    secrets.push(['accept password', inviteePassword], ['accept session', cookieValue(accepter)]);
    await smtp.waitFor((m) => m.to.includes(invitee) && /permissions/.test(m.subject));

    // An enrollment token, and a workstation enrolling with it.
    const enr = await admin.post(`${base}/enrollment-tokens`, { name: 'rollout', expiresInHours: 24 });
    expect(enr.status).toBe(201);
    secrets.push(['enrollment token', enr.body.token]);
    const publicKey = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string;
    const enroll = await new Client(server.url).post(AGENT_ENROLL_PATH, {
      token: enr.body.token,
      publicKey,
      machineId: createHash('sha256').update(`log-secrets-${process.pid}`).digest('hex'),
      hostname: 'ws-log-1',
      os: { platform: 'linux', distro: 'Test', release: '1', arch: 'x64' },
      agentVersion: '0.0.0-test',
    });
    expect(enroll.status).toBe(201);

    // Sign-outs and a revocation log nothing either.
    expect((await admin.del(`/api/v1/me/tokens/${tok.body.id}`)).status).toBe(200);
    expect((await second.post('/api/v1/auth/sign-out')).status).toBe(200);

    // The log did hear of these requests (the mail it sent), so its silence on secrets means something.
    // The mail goes out on its own time: wait for its line; then a line of ours, written after
    // everything logged before it (one stream, in order), says nothing of those is still on its way.
    await until(() => lines.join('').includes('mail sent') && lines.join('').includes(invitee));
    logger.info('log-secrets: end of the requests');
    await until(() => lines.some((l) => l.includes('log-secrets: end of the requests')));
    const log = lines.join('');
    expect(log).toContain('mail sent');
    expect(log).toContain(invitee);
    for (const [what, secret] of secrets) {
      expect(secret.length, what).toBeGreaterThanOrEqual(8);
      for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), hashSecret(secret)]) {
        expect(log.includes(form), `${what} appears in the log`).toBe(false);
      }
    }
  });
});

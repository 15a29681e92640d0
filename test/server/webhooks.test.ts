// Signed webhooks against a real HTTP receiver: the signature verifies, a 500 is retried, the
// delivery log shows both attempts (written in batches, kept over a clean shutdown), "seat limit
// reached" comes once per crossing, and targets on the server's own network are refused.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../gateway/raw-agent.js';
import { Client, registered, uniqueEmail } from '../helpers/client.js';
import { linkParam, waitForMail } from '../helpers/outbox.js';
import { ownedOrg, startTestServer, type TestServer } from '../helpers/server.js';
import { startWebhookReceiver, type Received, type WebhookReceiver } from '../helpers/webhook-receiver.js';

let receiver: WebhookReceiver;
let receiverUrl: string;
let received: Received[];
let server: TestServer;

beforeAll(async () => {
  // The first delivery fails: the second attempt must come.
  receiver = await startWebhookReceiver('/hook', (n) => (n === 1 ? 500 : 200));
  ({ url: receiverUrl, received } = receiver);
  server = await startTestServer({ webhooks: { retryDelaysMs: [50, 50], allowPrivateTargets: true } });
});
afterAll(async () => {
  await server?.stop();
  receiver?.close();
});

const verify = (secret: string, r: Received) =>
  r.headers['x-seatkeeper-signature'] === `v1=${createHmac('sha256', secret).update(`${r.headers['x-seatkeeper-timestamp']}.${r.body}`).digest('hex')}`;

describe('webhooks', () => {
  it('delivers a seat change signed, retries after a 500, and logs both attempts', async () => {
    const { org, o, base } = await ownedOrg(server);
    const created = await o.client.post(`${base}/webhooks`, { url: receiverUrl, events: ['seat.changed'] });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const listed = await o.client.get(`${base}/webhooks`);
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    const m = await registered(server.url, { serial: org.serial });
    const asg = await o.client.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: m.accountId });
    expect(asg.status).toBe(201);

    await waitFor('two attempts received', () => received.length >= 2 || undefined, 10_000);
    const [first, second] = received;
    for (const r of [first!, second!]) {
      expect(verify(secret, r)).toBe(true);
      expect(r.headers['x-seatkeeper-event']).toBe('seat.changed');
      expect(JSON.parse(r.body)).toMatchObject({ event: 'seat.changed', orgId: org.orgId, accountId: m.accountId, productCode: 'SW-PREMIUM' });
    }
    expect(second!.headers['x-seatkeeper-delivery']).toBe(first!.headers['x-seatkeeper-delivery']);
    // A body changed in transit no longer verifies.
    expect(verify(secret, { ...first!, body: first!.body.replace('SW-PREMIUM', 'SW-PREMIUX') })).toBe(false);

    const log = await waitFor(
      'both attempts logged',
      async () => {
        const r = await o.client.get(`${base}/webhooks/${created.body.id}/deliveries`);
        return r.body.deliveries.length >= 2 ? r.body.deliveries : undefined;
      },
      10_000,
    );
    expect(log.map((d: any) => [d.attempt, d.status, d.nextAttemptAt === null])).toEqual([
      [2, 200, true],
      [1, 500, false],
    ]);
  });

  it('is for admins only, and another organization’s webhook is not found', async () => {
    const a = await ownedOrg(server);
    const b = await ownedOrg(server);
    const hook = await a.o.client.post(`${a.base}/webhooks`, { url: receiverUrl });
    expect((await b.o.client.get(`/api/v1/orgs/${b.org.orgId}/webhooks/${hook.body.id}/deliveries`)).status).toBe(404);
    expect((await b.o.client.del(`/api/v1/orgs/${b.org.orgId}/webhooks/${hook.body.id}`)).status).toBe(404);
    const m = await registered(server.url, { serial: a.org.serial });
    expect((await m.client.get(`${a.base}/webhooks`)).status).toBe(403);
  });
});

describe('seat limit reached', () => {
  it('fires once when an assign or an accept fills a line, and again only after it dropped below', async () => {
    const { org, o, base } = await ownedOrg(server);
    const hook = await o.client.post(`${base}/webhooks`, { url: receiverUrl, events: ['seat.limit-reached'] });
    expect(hook.status).toBe(201);
    const lineId = org.line('BIM-COLLAB').id; // 3 seats
    const limits = () => received.filter((r) => r.headers['x-seatkeeper-event'] === 'seat.limit-reached' && JSON.parse(r.body).orgId === org.orgId);
    const assign = async () => {
      const m = await registered(server.url, { serial: org.serial });
      const r = await o.client.post(`${base}/assignments`, { lineId, accountId: m.accountId });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const first = await assign();
    await assign();
    // The third seat by an invitation accepted: the line is full.
    const email = uniqueEmail('limit');
    expect((await o.client.post(`${base}/invitations`, { email, role: 'member', lineIds: [lineId] })).status).toBe(201);
    const token = linkParam(await waitForMail(server.dataDir, email, /invited/), 'token');
    const acc = await new Client(server.url).post('/api/v1/invitations/accept', { token, name: 'Lim Itt', password: 'a good long password' });
    expect(acc.status).toBe(200);
    const one = await waitFor('seat limit delivered', () => limits()[0], 10_000);
    expect(verify(hook.body.secret, one)).toBe(true);
    expect(JSON.parse(one.body)).toMatchObject({ event: 'seat.limit-reached', orgId: org.orgId, productCode: 'BIM-COLLAB', lineId, seats: 3, contractNumber: org.contract.number });
    // Full: a fourth is refused and nothing fires; a seat freed and given again is a second crossing.
    const m4 = await registered(server.url, { serial: org.serial });
    expect((await o.client.post(`${base}/assignments`, { lineId, accountId: m4.accountId })).body.error.code).toBe('SEAT_LIMIT_REACHED');
    expect((await o.client.del(`${base}/assignments/${first}`)).status).toBe(200);
    expect((await o.client.post(`${base}/assignments`, { lineId, accountId: m4.accountId })).status).toBe(201);
    await waitFor('second crossing delivered', () => limits()[1], 10_000);
    // Every delivery is in the log; still two crossings, not one per seat.
    const log = await waitFor(
      'limit deliveries logged',
      async () => {
        const r = await o.client.get(`${base}/webhooks/${hook.body.id}/deliveries`);
        return r.body.deliveries.length >= 2 ? r.body.deliveries : undefined;
      },
      10_000,
    );
    expect(log.map((d: any) => d.event)).toEqual(['seat.limit-reached', 'seat.limit-reached']);
    expect(limits()).toHaveLength(2);
  });
});

describe('delivery log', () => {
  it('commits attempts in batches, shows those not yet committed, and loses none on a clean shutdown', async () => {
    // A tick longer than the test: nothing is committed before the shutdown.
    const config = { webhooks: { retryDelaysMs: [], allowPrivateTargets: true, log: { flushMs: 600_000 } } };
    const first = await startTestServer(config);
    let again: TestServer | undefined;
    try {
      const { org, o, base } = await ownedOrg(first);
      const hook = await o.client.post(`${base}/webhooks`, { url: receiverUrl, events: ['seat.changed'] });
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const m = await registered(first.url, { serial: org.serial });
        const r = await o.client.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: m.accountId });
        expect(r.status).toBe(201);
        ids.push(m.accountId);
      }
      const mine = () => received.filter((r) => JSON.parse(r.body).orgId === org.orgId);
      await waitFor('four deliveries received', () => mine().length >= 4 || undefined, 10_000);
      const shown = await waitFor(
        'four attempts shown',
        async () => {
          const r = await o.client.get(`${base}/webhooks/${hook.body.id}/deliveries`);
          return r.body.deliveries.length >= 4 ? r.body.deliveries : undefined;
        },
        10_000,
      );
      // Shown, but not one durable write per attempt: none is in the stored document yet.
      expect(first.services.store.org(org.orgId)!.webhookDeliveries ?? []).toEqual([]);
      await first.close();
      again = await startTestServer({ ...config, dataDir: first.dataDir });
      const c = new Client(again.url);
      c.cookie = o.client.cookie;
      const kept = await c.get(`${base}/webhooks/${hook.body.id}/deliveries`);
      expect(kept.body.deliveries).toEqual(shown);
      expect(again.services.store.org(org.orgId)!.webhookDeliveries).toHaveLength(4);
    } finally {
      await again?.stop();
      await first.stop();
    }
  });
});

describe('webhook targets', () => {
  it('checks the address each delivery connects to: a target that turned private gets nothing', async () => {
    const srv = await startTestServer({ webhooks: { retryDelaysMs: [], allowPrivateTargets: true } });
    try {
      const { org, o, base } = await ownedOrg(srv);
      const hook = await o.client.post(`${base}/webhooks`, { url: receiverUrl });
      expect(hook.status).toBe(201);
      // What a name re-pointed at a private address (DNS rebinding) looks like from here.
      srv.services.config.webhooks!.allowPrivateTargets = false;
      const seen = received.length;
      const m = await registered(srv.url, { serial: org.serial });
      expect((await o.client.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: m.accountId })).status).toBe(201);
      const log = await waitFor(
        'refused delivery logged',
        async () => {
          const r = await o.client.get(`${base}/webhooks/${hook.body.id}/deliveries`);
          return r.body.deliveries.find((d: any) => d.event === 'seat.changed');
        },
        10_000,
      );
      expect(log).toMatchObject({ status: null, error: 'EPRIVATE', nextAttemptAt: null });
      expect(received.slice(seen).filter((r) => r.headers['x-seatkeeper-delivery'] === log.id)).toEqual([]);
    } finally {
      await srv.stop();
    }
  });

  it('refuses loopback, private and link-local targets unless the operator allows them', async () => {
    const strict = await startTestServer();
    try {
      const { o, base } = await ownedOrg(strict);
      for (const url of [receiverUrl, 'http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/x', 'http://[::1]:8080/x', 'http://localhost/x']) {
        const r = await o.client.post(`${base}/webhooks`, { url });
        expect(r.status, url).toBe(400);
        expect(r.body.error.code, url).toBe('VALIDATION_FAILED');
      }
      expect((await o.client.post(`${base}/webhooks`, { url: 'ftp://example.com/x' })).status).toBe(400);
    } finally {
      await strict.stop();
    }
  });
});

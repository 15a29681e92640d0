// usage.report over a real socket: counted for the reporting device only and once per batch id,
// answered with usage.ack; malformed reports get an error frame naming the frame and store nothing;
// a protocol-1 agent is served as before; refusals past the day's threshold fire the signed
// `denials.above-threshold` webhook at a real receiver; other organizations see none of it.
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UsageCount } from '../../shared/protocol/usage.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startWebhookReceiver, type Received, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { enrollDevice, orgWithToken, RawAgent, waitFor } from './raw-agent.js';

let server: TestServer;
let receiver: WebhookReceiver;
let receiverUrl: string;
let received: Received[];
const agents: RawAgent[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver('/hook', () => 200);
  ({ url: receiverUrl, received } = receiver);
  server = await startTestServer({ webhooks: { retryDelaysMs: [50], allowPrivateTargets: true }, checkReports: { denialAlertThreshold: 10 } });
});
afterEach(() => {
  for (const a of agents.splice(0)) a.close();
});
afterAll(async () => {
  await server?.stop();
  receiver?.close();
});

async function connected(org: Awaited<ReturnType<typeof orgWithToken>>, protocol?: number) {
  const dev = await enrollDevice(server.url, org.token, { hostname: 'ws-usage' });
  const a = await RawAgent.connect(server.url);
  agents.push(a);
  await a.authenticate(dev, protocol === undefined ? {} : { protocol });
  return { a, dev };
}

const now = () => Date.now();
const row = (over: Partial<UsageCount> = {}): UsageCount => ({ productCode: 'ACAD', outcome: 'no-lease', user: 'bob', count: 3, first: now() - 60_000, last: now(), ...over });
const doc = (orgId: string) => server.services.store.org(orgId)!;

describe('usage.report', () => {
  it('stores the counts for the reporting device, once per batch, and acknowledges each send', async () => {
    const org = await orgWithToken(server);
    const { a, dev } = await connected(org);
    const counts = [row(), row({ productCode: 'SW-PREMIUM', outcome: 'ok', count: 5, user: null })];
    a.send({ type: 'usage.report', id: 'use_batch1', counts });
    expect(await a.next('usage.ack')).toMatchObject({ ref: 'use_batch1' });
    // Sent again (the ack was lost): acknowledged again, counted once.
    a.send({ type: 'usage.report', id: 'use_batch1', counts });
    expect(await a.next('usage.ack')).toMatchObject({ ref: 'use_batch1' });
    const d = doc(org.orgId);
    expect(d.denials).toHaveLength(1);
    expect(d.denials![0]).toMatchObject({ deviceId: dev.deviceId, productCode: 'ACAD', reason: 'no-lease', user: 'bob', count: 3 });
    expect(d.checkUse![dev.deviceId]!['SW-PREMIUM']).toMatchObject({ allowed: 5, refused: 0 });
    // Another batch of the same day adds to the same record.
    a.send({ type: 'usage.report', id: 'use_batch2', counts: [row({ count: 2 })] });
    await a.next('usage.ack');
    expect(doc(org.orgId).denials).toEqual([expect.objectContaining({ count: 5 })]);

    // The admin's report; another organization's admin sees nothing of it.
    const r = await org.admin.get(`/api/v1/orgs/${org.orgId}/reports/denials?days=1`);
    expect(r.body).toMatchObject({ total: 5, rows: [{ hostname: 'ws-usage', productCode: 'ACAD', count: 5 }] });
    const other = await orgWithToken(server);
    expect((await other.admin.get(`/api/v1/orgs/${other.orgId}/reports/denials?days=1`)).body.total).toBe(0);
    expect((await other.admin.get(`/api/v1/orgs/${org.orgId}/reports/denials?days=1`)).status).toBe(404);
  });

  it.each([
    ['an unknown outcome', { counts: [{ ...row(), outcome: 'stolen' }] }, /outcome/],
    ['first after last', { counts: [row({ first: now() + 1000, last: now() })] }, /first after last/],
    ['no rows', { counts: [] }, /counts/],
    ['too many rows', { counts: Array.from({ length: 201 }, () => row()) }, /counts/],
    ['a count of zero', { counts: [row({ count: 0 })] }, /count/],
    ['a user name with a newline', { counts: [row({ user: 'bob\nroot' })] }, /user/],
    ['an extra key', { counts: [{ ...row(), deviceId: 'dev_someone_else' }] }, /deviceId|Unrecognized/i],
  ])('refuses %s with an error frame naming the frame, and stores nothing', async (_what, bad, message) => {
    const org = await orgWithToken(server);
    const { a } = await connected(org);
    a.sendRaw(JSON.stringify({ v: 1, type: 'usage.report', id: 'use_bad', ...bad }));
    const e = await a.next('error');
    expect(e).toMatchObject({ code: 'FRAME_INVALID', ref: 'use_bad' });
    expect(e.message).toMatch(message);
    expect(doc(org.orgId).denials ?? []).toEqual([]);
    // The connection lives on: a good report is still taken.
    a.send({ type: 'usage.report', id: 'use_good', counts: [row()] });
    expect(await a.next('usage.ack')).toMatchObject({ ref: 'use_good' });
  });

  it('clamps times from a clock running ahead and drops counts older than the retention', async () => {
    const org = await orgWithToken(server);
    const { a, dev } = await connected(org);
    a.send({ type: 'usage.report', id: 'use_times', counts: [row({ first: now() + 3600_000, last: now() + 7200_000 }), row({ productCode: 'BIM-COLLAB', first: 1000, last: 2000 })] });
    await a.next('usage.ack');
    const [only, ...rest] = doc(org.orgId).denials!;
    expect(rest).toEqual([]);
    expect(only!.last).toBeLessThanOrEqual(Date.now());
    expect(only!.deviceId).toBe(dev.deviceId);
  });

  it('serves a protocol-1 agent as before (it never reports)', async () => {
    const org = await orgWithToken(server);
    const { a } = await connected(org, 1);
    expect(a.all('welcome')).toHaveLength(1);
    expect(a.all('error')).toEqual([]);
  });

  it('fires denials.above-threshold once a day per product, signed, when the day reaches the threshold', async () => {
    const org = await orgWithToken(server);
    const hook = await org.admin.post(`/api/v1/orgs/${org.orgId}/webhooks`, { url: receiverUrl, events: ['denials.above-threshold'] });
    expect(hook.status).toBe(201);
    const { a } = await connected(org);
    // Every alert is a feed item, emitted before the report's ack: counted here, it needs no waiting.
    const alerts: unknown[] = [];
    server.services.events.on('feed', (f) => {
      if (f.orgId === org.orgId && f.kind === 'denials') alerts.push(f);
    });
    a.send({ type: 'usage.report', id: 'use_t1', counts: [row({ count: 6 })] });
    await a.next('usage.ack');
    a.send({ type: 'usage.report', id: 'use_t2', counts: [row({ count: 6, user: 'carol' })] });
    await a.next('usage.ack');
    a.send({ type: 'usage.report', id: 'use_t3', counts: [row({ count: 6 })] });
    await a.next('usage.ack');
    const got = await waitFor('the alert delivered', () => received.find((r) => r.headers['x-seatkeeper-event'] === 'denials.above-threshold'), 10_000);
    const sig = `v1=${createHmac('sha256', hook.body.secret).update(`${got.headers['x-seatkeeper-timestamp']}.${got.body}`).digest('hex')}`;
    expect(got.headers['x-seatkeeper-signature']).toBe(sig);
    expect(JSON.parse(got.body)).toMatchObject({ event: 'denials.above-threshold', orgId: org.orgId, productCode: 'ACAD' });
    expect(JSON.parse(got.body).text).toContain('refused 12 times today');
    // The third batch passed the threshold again the same day (acked after its feed): no second alert.
    expect(alerts).toHaveLength(1);
    expect(received.filter((r) => r.headers['x-seatkeeper-event'] === 'denials.above-threshold')).toHaveLength(1);

    // The organization's own threshold replaces the server's.
    const put = await org.admin.put(`/api/v1/orgs/${org.orgId}/reports/denials/threshold`, { threshold: 500 });
    expect(put.status).toBe(200);
    expect((await org.admin.get(`/api/v1/orgs/${org.orgId}/reports/denials`)).body.threshold).toBe(500);
    expect((await org.admin.put(`/api/v1/orgs/${org.orgId}/reports/denials/threshold`, { threshold: 0 })).status).toBe(400);
  });
});

// /metrics scraped like Prometheus does and parsed: the token guards it, and the figures follow
// what happens (an agent connecting, a store write, a refused sign-in).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollDevice, orgWithToken, RawAgent, waitFor } from '../gateway/raw-agent.js';
import { Client } from '../helpers/client.js';
import { scrapeMetrics, type Samples } from '../helpers/metrics.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'metrics-token-0123456789';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ metricsToken: TOKEN });
});
afterAll(() => server?.stop());

const scrape = () => scrapeMetrics(server.url, TOKEN);

describe('/metrics', () => {
  it('answers 401 without the token or with a wrong one', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe('UNAUTHENTICATED');
  });

  it('does not exist on a server without a metrics token', async () => {
    const plain = await startTestServer();
    try {
      const r = await fetch(`${plain.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it('counts agents connected, store commits, refused sign-ins and reports event-loop lag', async () => {
    const before = await scrape();
    expect(before.types.get('seatkeeper_agents_connected')).toBe('gauge');
    expect(before.types.get('seatkeeper_store_commit_seconds')).toBe('histogram');
    expect(before.types.get('seatkeeper_sign_ins_refused_total')).toBe('counter');
    expect(before.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(before.types.get('seatkeeper_pushes_sent_total')).toBe('counter');
    expect(before.types.get('seatkeeper_pushes_acked_total')).toBe('counter');
    expect(before.types.get('seatkeeper_push_ack_seconds')).toBe('histogram');
    expect(before.samples.get('seatkeeper_agents_connected')).toBe(0);
    const commits = (s: Samples) => s.get('seatkeeper_store_commit_seconds_count{outcome="ok"}') ?? 0;

    const org = await orgWithToken(server);
    const id = await enrollDevice(server.url, org.token);
    const agent = await RawAgent.connect(server.url);
    await agent.authenticate(id);
    const mid = await waitFor('agent counted', async () => {
      const m = await scrape();
      return m.samples.get('seatkeeper_agents_connected') === 1 ? m : undefined;
    });
    expect(commits(mid.samples)).toBeGreaterThan(commits(before.samples));

    const c = new Client(server.url);
    const bad = await c.post('/api/v1/auth/sign-in', { email: 'nobody@acme.test', password: 'wrong password' });
    expect(bad.status).toBe(401);
    const after = await scrape();
    expect(after.samples.get('seatkeeper_sign_ins_refused_total')).toBe((mid.samples.get('seatkeeper_sign_ins_refused_total') ?? 0) + 1);
    expect(after.samples.get('seatkeeper_sign_in_attempts_total')).toBe((mid.samples.get('seatkeeper_sign_in_attempts_total') ?? 0) + 1);
    expect(after.samples.get('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    agent.close();
  });
});

// /metrics after a real agent acknowledged a push: a seat assigned to the person signed in on a
// workstation reaches its daemon as a lease.grant, the daemon acks it, and the scrape counts the
// push sent, the push acked and its ack latency.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeMetrics, type Samples } from '../helpers/metrics.js';
import type { TestServer } from '../helpers/server.js';
import { e2eOrg, startE2EServer } from './setup.js';
import { ensureAgentBundle, until, Workstation } from './workstation.js';

const TOKEN = 'metrics-token-e2e-0123456789';
let server: TestServer;
let ws: Workstation;
let org: Awaited<ReturnType<typeof e2eOrg>>;
let ann: Awaited<ReturnType<typeof org.people>>[number];

// A workstation with SOLIDWORKS installed, enrolled, its daemon connected and Ann signed in on it
// without a seat yet (processes on two busy cores: the hook's own time limit).
beforeAll(async () => {
  await ensureAgentBundle();
  server = await startE2EServer({ metricsToken: TOKEN });
  org = await e2eOrg(server);
  [ann] = await org.people(1);
  ws = await Workstation.create('metrics');
  await ws.install('SW-PREMIUM');
  await ws.enroll(server.url, org.token);
  await ws.start();
  await ws.login(org.activate(ann!));
}, 120_000);
afterAll(async () => {
  await ws?.dispose();
  await server?.stop();
});

const GRANT = '{kind="lease.grant"}';
const at = (s: Samples, name: string) => s.get(name) ?? 0;

describe('push metrics', () => {
  it('count the grant a real agent acked after an assignment, with its ack latency', async () => {
    expect((await ws.check('SW-PREMIUM')).code).toBe(1);

    const before = (await scrapeMetrics(server.url, TOKEN)).samples;
    const assigned = await org.admin.post(`${org.base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: ann!.id });
    expect(assigned.status).toBe(201);
    await ws.waitLease('SW-PREMIUM', 'held');
    expect((await ws.check('SW-PREMIUM')).code).toBe(0);

    // The daemon acks after storing the lease: scrape until the server has read the ack.
    const after = await until('the grant counted as acked', async () => {
      const m = await scrapeMetrics(server.url, TOKEN);
      return at(m.samples, `seatkeeper_pushes_acked_total${GRANT}`) > at(before, `seatkeeper_pushes_acked_total${GRANT}`) ? m : null;
    });
    const s = after.samples;
    expect(after.types.get('seatkeeper_pushes_sent_total')).toBe('counter');
    expect(after.types.get('seatkeeper_pushes_acked_total')).toBe('counter');
    expect(after.types.get('seatkeeper_push_ack_seconds')).toBe('histogram');
    const acked = at(s, `seatkeeper_pushes_acked_total${GRANT}`) - at(before, `seatkeeper_pushes_acked_total${GRANT}`);
    const sent = at(s, `seatkeeper_pushes_sent_total${GRANT}`) - at(before, `seatkeeper_pushes_sent_total${GRANT}`);
    expect(acked).toBeGreaterThanOrEqual(1);
    expect(sent).toBeGreaterThanOrEqual(acked);
    // Every ack observed once in the histogram, its latency a real duration.
    const count = at(s, `seatkeeper_push_ack_seconds_count${GRANT}`) - at(before, `seatkeeper_push_ack_seconds_count${GRANT}`);
    expect(count).toBe(acked);
    expect(at(s, 'seatkeeper_push_ack_seconds_bucket{le="+Inf",kind="lease.grant"}')).toBe(at(s, `seatkeeper_push_ack_seconds_count${GRANT}`));
    expect(at(s, `seatkeeper_push_ack_seconds_sum${GRANT}`)).toBeGreaterThan(at(before, `seatkeeper_push_ack_seconds_sum${GRANT}`));
    // Acks never outnumber what was sent, for any kind.
    for (const [name, v] of s) {
      const kind = name.match(/^seatkeeper_pushes_acked_total(\{.*\})$/)?.[1];
      if (kind) expect(v).toBeLessThanOrEqual(at(s, `seatkeeper_pushes_sent_total${kind}`));
    }
  }, 60_000);
});

// Bench: the webhook delivery log. N events delivered to one webhook (a loopback receiver answering
// 204), each attempt logged in batches (one store transaction per tick). Figures: store commits per
// 1,000 attempts (before the batching: one transaction per attempt, 1,000), and attempts delivered
// and logged per second, the log committed by a clean close. A real server in this process.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../server/app.js';
import { createOrganization } from '../../server/ops/create-organization.js';
import type { Webhook } from '../../server/domain/model.js';
import { row, type Row } from './report.js';

interface Run {
  commits: number;
  attemptsPerSecond: number;
}

async function run(events: number): Promise<Run> {
  let got = 0;
  const receiver = createServer((req, res) => {
    req.resume().on('end', () => {
      got++;
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const dir = await mkdtemp(join(tmpdir(), 'sk-bench-webhooks-'));
  const server = await startServer({ dataDir: dir, port: 0, logLevel: 'error', webhooks: { retryDelaysMs: [], allowPrivateTargets: true } });
  try {
    const s = server.services;
    const orgId = await createOrganization(s, { name: 'Bench Webhooks', contracts: [{ number: 'C-WH', serials: [`WH-${process.pid}-${Date.now()}`], lines: [{ productCode: 'SW-PREMIUM', seats: 10, method: 'named-user' }] }] });
    const hook: Webhook = { id: 'whk_bench', url, events: ['seat.changed'], secret: 'whsec_bench', createdBy: 'acc_bench', createdAt: s.clock() };
    await s.store.tx((t) => void (t.org(orgId)!.webhooks = { [hook.id]: hook }));
    // Every store transaction from here on is the delivery log's (nothing else happens).
    let commits = 0;
    const tx = s.store.tx.bind(s.store);
    s.store.tx = ((fn: never) => {
      commits++;
      return tx(fn);
    }) as typeof s.store.tx;
    const t0 = performance.now();
    // In waves of 50 (a burst of assignments), each received before the next.
    for (let i = 0; i < events; i += 50) {
      const n = Math.min(50, events - i);
      for (let k = 0; k < n; k++) s.events.emit('feed', { orgId, at: s.clock(), kind: 'assignment', text: `bench ${i + k}`, productCode: 'SW-PREMIUM' });
      while (got < i + n) await new Promise((r) => setTimeout(r, 2));
    }
    // Logged: the close commits what waits.
    await server.close();
    const seconds = (performance.now() - t0) / 1000;
    return { commits, attemptsPerSecond: events / seconds };
  } finally {
    await server.close();
    receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchWebhookLog(quick: boolean): Promise<Row[]> {
  const events = quick ? 300 : 3000;
  const m = await run(events);
  return [
    row({ bench: 'webhooks', figure: `delivery log commits per 1,000 attempts (${events} events)`, value: (m.commits * 1000) / events, unit: 'commits', baseline: 'one store transaction per attempt (before batching)', baselineValue: 1000 }),
    row({ bench: 'webhooks', figure: `attempts delivered and logged, per second (${events} events)`, value: m.attemptsPerSecond, unit: 'attempts/s', baseline: '—', baselineValue: null }),
  ];
}

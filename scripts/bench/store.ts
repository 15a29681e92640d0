// Bench 6: assignment writes through the group-committed store at 1k and 10k seats, with 32
// writers at once, against lowdb's own JSONFile adapter doing one awaited write per operation, one
// operation after another (lowdb merges writes that overlap, so concurrent callers would share
// writes and the baseline would not be one write per operation). Latency p50/p99, throughput and
// the longest event-loop stall (perf_hooks.monitorEventLoopDelay).
import { mkdtemp, rm } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { createLowdbStore } from '../../server/store/lowdb-store.js';
import { emptyOrgDoc, type OrgDoc } from '../../server/domain/model.js';
import { row, stats, type Row } from './report.js';

/** writers at once on our store: group commit is what serves them */
const CONCURRENCY = 32;

function orgWith(seats: number): OrgDoc {
  const doc = emptyOrgDoc({
    id: 'org_bench',
    name: 'Bench',
    aliasDomains: [],
    salt: 'x',
    claimedBy: null,
    claimedAt: null,
    termsAcceptedAt: null,
    settings: { leaseTtlSeconds: 3600 },
    createdAt: 0,
  });
  doc.contracts.c = { id: 'c', number: 'C', serials: [], startsAt: 0, endsAt: 9e15, lines: [{ id: 'l', productCode: 'SW-PREMIUM', seats, method: 'named-user' }] };
  for (let i = 0; i < seats; i++) doc.members[`acc_${i}`] = { accountId: `acc_${i}`, role: 'member', joinedAt: 0 };
  return doc;
}

// Seats taken per document, kept beside it as the domain's seat index would be: counting 10k keys
// per operation would measure Object.keys, not the store.
const taken = new WeakMap<object, number>();

function assign(doc: OrgDoc, i: number, seats: number): void {
  const n = taken.get(doc.assignments) ?? 0;
  if (n >= seats) throw new Error('full');
  taken.set(doc.assignments, n + 1);
  doc.assignments[`asg_${i}`] = { id: `asg_${i}`, lineId: 'l', accountId: `acc_${i}`, assignedBy: 'bench', assignedAt: Date.now() };
}

async function runPool(n: number, concurrency: number, op: (i: number) => Promise<void>): Promise<number[]> {
  const lat: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        lat.push(performance.now() - t0);
      }
    }),
  );
  return lat;
}

async function measure(n: number, concurrency: number, op: (i: number) => Promise<void>) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  const lat = await runPool(n, concurrency, op);
  const elapsed = performance.now() - t0;
  h.disable();
  return { ...stats(lat), stallMs: h.max / 1e6, opsPerSec: (n / elapsed) * 1000 };
}

export async function benchStore(quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  for (const seats of quick ? [1000] : [1000, 10_000]) {
    const ops = quick ? 300 : Math.min(seats, 2000);
    const dir = await mkdtemp(join(tmpdir(), 'sk-bench-store-'));
    const store = createLowdbStore(join(dir, 'sk'));
    await store.open();
    await store.tx((t) => void t.createOrg(orgWith(seats)));
    // Fill the line to `seats - ops` first so the document has its full size while we measure.
    await store.tx((t) => {
      const doc = t.org('org_bench')!;
      for (let i = ops; i < seats; i++) assign(doc, i, seats);
    });
    const ours = await measure(ops, CONCURRENCY, (i) => store.tx((t) => assign(t.org('org_bench')!, i, seats)));
    await store.close();

    const base = orgWith(seats);
    for (let i = ops; i < seats; i++) assign(base, i, seats);
    const db = new Low<OrgDoc>(new JSONFile<OrgDoc>(join(dir, 'baseline.json')), base);
    await db.write();
    // Sequential: each write is awaited before the next operation starts, so every operation
    // pays for exactly one whole-file write. At 10k seats that is slow: fewer ops keep the run short.
    let writes = 0;
    const theirs = await measure(Math.min(ops, 400), 1, async (i) => {
      assign(db.data, i, seats);
      await db.write();
      writes++;
    });
    await rm(dir, { recursive: true, force: true });

    const tag = `${seats / 1000}k seats, ${CONCURRENCY} writers at once`;
    const baseName = `lowdb JSONFile, sequential, one awaited write per op (n=${writes})`;
    rows.push(row({ bench: 'store', figure: `assign p50 @${tag} (n=${ours.n})`, value: ours.p50, unit: 'ms', baseline: baseName, baselineValue: theirs.p50 }));
    rows.push(row({ bench: 'store', figure: `assign p99 @${tag} (n=${ours.n})`, value: ours.p99, unit: 'ms', baseline: baseName, baselineValue: theirs.p99 }));
    rows.push(row({ bench: 'store', figure: `assign throughput @${tag}`, value: ours.opsPerSec, unit: 'ops/s', baseline: baseName, baselineValue: theirs.opsPerSec }));
    rows.push(
      row({
        bench: 'store',
        figure: `longest event-loop stall @${tag}`,
        value: ours.stallMs,
        unit: 'ms',
        baseline: baseName,
        baselineValue: theirs.stallMs,
        ...(seats === 10_000 ? { target: '≤ 25 ms', met: ours.stallMs <= 25 } : {}),
      }),
    );
  }
  return rows;
}

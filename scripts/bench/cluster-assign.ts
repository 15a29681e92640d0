// Cluster bench, part 3: assignment writes on the PostgreSQL store against the embedded (lowdb)
// store, both as the server runs them (group commit, one durable commit per batch), with the same
// 32 writers at once, on an organization of 10k and 100k seats filled but for the seats measured.
// Both in this process, one after the other, on the same disk.
import { mkdtemp, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLowdbStore } from '../../server/store/lowdb-store.js';
import { createPostgresStore } from '../../server/store/postgres/postgres-store.js';
import { emptyOrgDoc, type OrgDoc } from '../../server/domain/model.js';
import type { Store } from '../../server/store/store.js';
import type { BenchPostgres } from './cluster-postgres.js';
import { row, stats, type Row } from './report.js';

/** writers at once, on either store */
const WRITERS = 32;
const ORG = 'org_bench';

function orgWith(seats: number): OrgDoc {
  const doc = emptyOrgDoc({ id: ORG, name: 'Bench', aliasDomains: [], salt: 'x', claimedBy: null, claimedAt: null, termsAcceptedAt: null, settings: { leaseTtlSeconds: 3600 }, createdAt: 0 });
  doc.contracts.c = { id: 'c', number: 'C', serials: [], startsAt: 0, endsAt: 9e15, lines: [{ id: 'l', productCode: 'SW-PREMIUM', seats, method: 'named-user' }] };
  for (let i = 0; i < seats; i++) doc.members[`acc_${i}`] = { accountId: `acc_${i}`, role: 'member', joinedAt: 0 };
  return doc;
}

const assignment = (i: number) => ({ id: `asg_${i}`, lineId: 'l', accountId: `acc_${i}`, assignedBy: 'bench', assignedAt: Date.now() });

interface Measured {
  p50: number;
  p99: number;
  n: number;
  opsPerSec: number;
}

/** An organization of `seats` seats, assigned but for the first `ops`; then `ops` assigns, `WRITERS` at a time. */
async function measureStore(store: Store, seats: number, ops: number): Promise<Measured> {
  await store.open();
  try {
    await store.tx((t) => void t.createOrg(orgWith(seats)));
    await store.tx((t) => {
      const doc = t.org(ORG)!;
      for (let i = ops; i < seats; i++) doc.assignments[`asg_${i}`] = assignment(i);
    });
    // The seat check the domain makes, on a count kept beside the document (counting 100k keys per
    // operation would measure Object.keys, not the store).
    let taken = seats - ops;
    const lat: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < ops) {
          const i = next++;
          const s = performance.now();
          await store.tx((t) => {
            if (taken >= seats) throw new Error('full');
            taken++;
            t.org(ORG)!.assignments[`asg_${i}`] = assignment(i);
          });
          lat.push(performance.now() - s);
        }
      }),
    );
    const elapsed = performance.now() - t0;
    const st = stats(lat);
    return { p50: st.p50, p99: st.p99, n: st.n, opsPerSec: (ops / elapsed) * 1000 };
  } finally {
    await store.close();
  }
}

export async function benchClusterAssign(pg: BenchPostgres, quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  for (const seats of quick ? [1000, 10_000] : [10_000, 100_000]) {
    const ops = quick ? 300 : 2000;
    const tag = `@${seats / 1000}k seats, ${WRITERS} writers (n=${ops})`;
    process.stderr.write(`  assign ${tag}…\n`);
    const onPg = await measureStore(createPostgresStore(await pg.database(`sk_bench_assign_${seats}`)), seats, ops);
    const dir = await mkdtemp(join(tmpdir(), 'sk-bench-cluster-store-'));
    let onLowdb: Measured;
    try {
      onLowdb = await measureStore(createLowdbStore(join(dir, 'sk')), seats, ops);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const baseline = `embedded lowdb store, same ${WRITERS} writers (n=${ops})`;
    rows.push(
      row({ bench: 'cluster', figure: `assign p50 on PostgreSQL ${tag}`, value: onPg.p50, unit: 'ms', baseline, baselineValue: onLowdb.p50 }),
      row({
        bench: 'cluster',
        figure: `assign p99 on PostgreSQL ${tag}`,
        value: onPg.p99,
        unit: 'ms',
        baseline,
        baselineValue: onLowdb.p99,
        ...(seats === 10_000 ? { note: `PostgreSQL ${pg.settings}, one node's pool of 8 connections, in this process; each batch of writers is one database transaction: a change record, the rows it changed, the document's sequence number` } : {}),
      }),
      row({ bench: 'cluster', figure: `assign throughput on PostgreSQL ${tag}`, value: onPg.opsPerSec, unit: 'ops/s', baseline, baselineValue: onLowdb.opsPerSec }),
    );
  }
  return rows;
}

// Bench `cluster` (issue 10): several server nodes on one PostgreSQL, side by side in one run.
//  1. Targeted revoke across nodes: 10k simulated agents over 3 nodes, the admin's unassign sent to
//     node A for an agent connected to node C (→ the agent's lease.revoke), against the same
//     revocations on one node holding all 10k agents (the same database store): both deployments
//     up at once, the revocations taking turns, so both see the same load of a shared machine.
//  2. Failover: 6,000 agents over 3 nodes, node C killed (kill -9) under its third; the time until
//     every one of those agents has reconnected to another node and been reconciled, against the
//     same agents and backoff failing over between bare ws servers.
//  3. Assign throughput and p99 at 10k and 100k seats, PostgreSQL store against the embedded one.
// Its own PostgreSQL (cluster-postgres.ts), started here and stopped at the end, failed or not.
// Profiling (SEATKEEPER_BENCH_PROFILE=cluster-connect,cluster-revoke,cluster-failover: the nodes'
// CPU during that phase, into bench-results/profiles/) runs only the parts profiled.
import { cpus, loadavg } from 'node:os';
import { assignmentIdOf } from './fleet-identity.js';
import { FD_RESERVE, http, profiled, sample, until, type Fleet } from './fleet-procs.js';
import { benchClusterAssign } from './cluster-assign.js';
import { ClusterProcs, type Node } from './cluster-nodes.js';
import { startBenchPostgres, type BenchPostgres } from './cluster-postgres.js';
import { row, stats, type Row } from './report.js';
import { monoMs, openFileLimit } from './rpc.js';

interface Plan {
  /** agents of the revoke figures, over 3 nodes and on one */
  revokeAgents: number;
  /** targeted revocations per figure (fewer if the budget runs out first) */
  revocations: number;
  minRevocations: number;
  /** the three revoke figures together (they take turns) */
  revocationBudgetMs: number;
  failoverAgents: number;
  /** how long the failover waits for the killed node's agents before it says how many came back */
  failoverTimeoutMs: number;
  /** 10k agents over 3 nodes connected at 40/s under a load average of 30 on 2 cores here */
  connectTimeoutMs: number;
}

const plan = (quick: boolean): Plan =>
  quick
    ? { revokeAgents: 600, revocations: 60, minRevocations: 20, revocationBudgetMs: 15_000, failoverAgents: 600, failoverTimeoutMs: 30_000, connectTimeoutMs: 30_000 }
    : { revokeAgents: 10_000, revocations: 500, minRevocations: 100, revocationBudgetMs: 120_000, failoverAgents: 6_000, failoverTimeoutMs: 120_000, connectTimeoutMs: 420_000 };

const tag = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : `${(n / 1000).toFixed(1)}k`);
const samples = (n: number) => (n < 100 ? `(max of n=${n})` : `(n=${n})`);
const wsOf = (node: Node) => `ws://127.0.0.1:${node.port}/agent`;
/** What else the machine was running: on a shared machine a p99 is mostly that. */
const load = () => `1-minute load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;

/** Whether a part runs: every part, unless a profiler asks for some phases only. */
function runs(phase: string): boolean {
  const want = process.env.SEATKEEPER_BENCH_PROFILE;
  return !want || want === 'all' || want.split(',').includes(phase);
}

interface Seeded {
  orgId: string;
  token: string;
}

export async function benchCluster(quick: boolean): Promise<Row[]> {
  const p = plan(quick);
  // One process holds every agent socket of a figure at most: the single node of the baseline.
  const limit = await openFileLimit();
  const fit = (n: number) => Math.min(n, Math.floor((limit - FD_RESERVE) / 300) * 300);
  const revokeAgents = fit(p.revokeAgents);
  const failoverAgents = fit(p.failoverAgents);
  if (revokeAgents < p.revokeAgents) process.stderr.write(`  open-file limit ${limit}: ${revokeAgents} agents, not ${p.revokeAgents}\n`);

  const pg = await startBenchPostgres();
  // Interrupted: the database and its directory go too (the helpers leave with this process).
  const onSignal = () => {
    pg.stop();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let procs: ClusterProcs | undefined;
  try {
    procs = await ClusterProcs.start(3);
    const rows: Row[] = [];
    if (runs('cluster-revoke') || runs('cluster-connect')) rows.push(...(await revokeRows(procs, pg, p, revokeAgents, quick)));
    if (runs('cluster-failover')) rows.push(...(await failoverRows(procs, pg, p, failoverAgents, quick)));
    await procs.close();
    procs = undefined;
    if (runs('cluster-assign')) rows.push(...(await benchClusterAssign(pg, quick)));
    return rows;
  } finally {
    await procs?.close().catch(() => {});
    pg.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Seeds an organization of `n` agents through `node` (the others load it when they start). */
const seed = (node: Node, n: number) => node.helper.call<Seeded>('seed', { n });

/** Connects the agents laid out, and waits until each holds its lease. */
async function connectAll(procs: ClusterProcs, n: number, p: Plan): Promise<number> {
  const c = await procs.connect(n, p.connectTimeoutMs);
  if (c.connected < n) throw new Error(`only ${c.connected} of ${n} agents connected within ${p.connectTimeoutMs / 1000} s: ${JSON.stringify(await procs.fleet.all('status'))}`);
  await until('every agent holding its lease', async () => (await procs.fleet.holding()) === n, 60_000);
  return c.rate;
}

/** Unassigns agent i's seat with `send` (the admin's DELETE); ms until its agent got the lease.revoke. */
async function revokeOne(fleet: Fleet, i: number, send: () => Promise<unknown>): Promise<number> {
  const got = fleet.revoked(i);
  const t0 = monoMs();
  await send();
  const e = await got;
  if (e.reason !== 'unassigned') throw new Error(`agent ${i} was revoked for ${e.reason}`);
  return e.t - t0;
}

const unassign = (node: Node, s: Seeded, i: number) => () => http('DELETE', `${node.url}/api/v1/orgs/${s.orgId}/assignments/${assignmentIdOf(i)}`, s.token);

/** `count` agents of swarm j's share (the same ones every run). */
function picks(procs: ClusterProcs, j: number, n: number, count: number): number[] {
  const [from, to] = procs.range(j, n);
  return sample(to - from, count).map((k) => from + k);
}

/** An organization of `n` agents on `nodes` (seeded through the first; the others load it as they start), connected. */
async function deployment(procs: ClusterProcs, p: Plan, n: number, db: string, names: string[]) {
  const first = await procs.node(names[0]!, db);
  const s = await seed(first, n);
  const nodes = [first, ...(await Promise.all(names.slice(1).map((name) => procs.node(name, db))))];
  await procs.layout(nodes.map(wsOf), n, false);
  const rate = await profiled(nodes.at(-1)!, `cluster-connect@${names.at(-1)}`, () => connectAll(procs, n, p));
  await procs.fleet.all('revokeEvents', { on: true });
  return { nodes, s, rate };
}

/**
 * Both deployments up at once, each with its own agents and swarms: one node holding every agent
 * (the baseline), and three nodes holding a third each. The revocations take turns — one node;
 * across nodes (sent to A, agent on C); on the same node of the three (sent to A, agent on A) —
 * so all three figures see the same moments of a shared machine.
 */
async function revokeSideBySide(procs: ClusterProcs, pg: BenchPostgres, p: Plan, n: number, onC: number[], onA: number[]) {
  const one: number[] = [];
  const cross: number[] = [];
  const same: number[] = [];
  let soloProcs: ClusterProcs | undefined;
  try {
    soloProcs = await ClusterProcs.start(3, 1);
    process.stderr.write(`  revoke: ${n} agents on one node…\n`);
    const solo = await deployment(soloProcs, p, n, await pg.database('sk_bench_revoke_one'), ['solo']);
    process.stderr.write(`  revoke: ${n} agents over 3 nodes…\n`);
    const three = await deployment(procs, p, n, await pg.database('sk_bench_revoke_three'), ['A', 'B', 'C']);
    const [a, , c] = three.nodes;
    const end = Date.now() + p.revocationBudgetMs;
    await profiled(solo.nodes[0]!, 'cluster-revoke@solo', () =>
      profiled(a!, 'cluster-revoke@A', () =>
        profiled(c!, 'cluster-revoke@C', async () => {
          for (let k = 0; k < onC.length; k++) {
            if (Date.now() > end && cross.length >= p.minRevocations) break;
            one.push(await revokeOne(soloProcs!.fleet, onC[k]!, unassign(solo.nodes[0]!, solo.s, onC[k]!)));
            cross.push(await revokeOne(procs.fleet, onC[k]!, unassign(a!, three.s, onC[k]!)));
            same.push(await revokeOne(procs.fleet, onA[k]!, unassign(a!, three.s, onA[k]!)));
          }
        }),
      ),
    );
    return { one, cross, same, oneRate: solo.rate, threeRate: three.rate, load: load() };
  } finally {
    await procs.fleet.all('revokeEvents', { on: false });
    await procs.fleet.all('closeAll');
    await procs.stopNodes();
    await soloProcs?.close();
  }
}

async function revokeRows(procs: ClusterProcs, pg: BenchPostgres, p: Plan, n: number, quick: boolean): Promise<Row[]> {
  // Profiling the connect alone: no revocations.
  const count = runs('cluster-revoke') ? p.revocations : 0;
  const onC = picks(procs, 2, n, count);
  const onA = picks(procs, 0, n, count);
  const { one, cross, same, oneRate, threeRate, load: busy } = await revokeSideBySide(procs, pg, p, n, onC, onA);

  const at = `@${tag(n)}`;
  const x = stats(cross);
  const o = stats(one);
  const sm = stats(same);
  const top = !quick && n >= 10_000;
  const oneName = (q: string) => `one node holding all ${tag(n)} agents, same store, up at the same time, turns taken ${samples(o.n)} ${q}`;
  return [
    row({ bench: 'cluster', figure: `targeted revoke p50 across nodes (revoke sent to A, agent on C) ${at} over 3 nodes ${samples(x.n)}`, value: x.p50, unit: 'ms', baseline: oneName('p50'), baselineValue: o.p50 }),
    row({
      bench: 'cluster',
      figure: `targeted revoke p99 across nodes (revoke sent to A, agent on C) ${at} over 3 nodes ${samples(x.n)}`,
      value: x.p99,
      unit: 'ms',
      baseline: oneName('p99'),
      baselineValue: o.p99,
      ...(top ? { target: '≤ 1.5× one node and ≤ 100 ms @10k', met: x.p99 <= 1.5 * o.p99 && x.p99 <= 100 } : {}),
      note: `an unassign commits on A, which wakes C (NOTIFY after the commit, else C's poll every second); C reads the change records in and pushes the revocation to its agent; ${busy} at the end of the revocations`,
    }),
    row({ bench: 'cluster', figure: `targeted revoke p99 on the same node (revoke sent to A, agent on A) ${at} over 3 nodes ${samples(sm.n)}`, value: sm.p99, unit: 'ms', baseline: oneName('p99'), baselineValue: o.p99 }),
    row({ bench: 'cluster', figure: `connect+authenticate rate ${at} over 3 nodes`, value: threeRate, unit: 'agents/s', baseline: 'one node, same agents', baselineValue: oneRate }),
  ];
}

type StormResult = { tLast: number; missing: number; attempts: number; failures: Record<string, number> };

/** Arms every swarm for the agents connected to `url` now; how many those are. */
async function armFor(fleet: Fleet, url: string): Promise<number> {
  return (await fleet.all<{ armed: number }>('armStorm', { url })).reduce((a, r) => a + r.armed, 0);
}

/** Waits until every armed agent has reconciled again (or `timeoutMs`); ms from `t0` to the last. */
async function awaitStorm(fleet: Fleet, t0: number, timeoutMs: number) {
  const rs = await fleet.all<StormResult>('awaitStorm', { timeoutMs });
  const missing = rs.reduce((a, r) => a + r.missing, 0);
  const failures: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
  const tLast = missing > 0 ? monoMs() : Math.max(t0, ...rs.map((r) => r.tLast));
  return { ms: tLast - t0, missing, attempts: rs.reduce((a, r) => a + r.attempts, 0), failures };
}

async function failoverRows(procs: ClusterProcs, pg: BenchPostgres, p: Plan, n: number, quick: boolean): Promise<Row[]> {
  const { fleet } = procs;
  process.stderr.write(`  failover: ${n} agents over 3 nodes, node C killed under its third…\n`);
  let sk: Awaited<ReturnType<typeof awaitStorm>> & { onC: number; holdingAfter: number; connectAttempts: number; load: string };
  try {
    const db = await pg.database('sk_bench_failover');
    const a = await procs.node('A', db);
    await seed(a, n);
    const [b, c] = await Promise.all([procs.node('B', db), procs.node('C', db)]);
    await procs.layout([a, b!, c!].map(wsOf), n, false);
    await connectAll(procs, n, p);
    // An agent whose first try timed out went on to the next node: C's agents are those on C now.
    const connectAttempts = (await fleet.all<{ attempts: number }>('status')).reduce((x, r) => x + r.attempts, 0);
    const onC = await armFor(fleet, wsOf(c!));
    const t0 = monoMs();
    await c!.kill();
    const r = await profiled(a, 'cluster-failover@A', () => profiled(b!, 'cluster-failover@B', () => awaitStorm(fleet, t0, p.failoverTimeoutMs)));
    // Reconciled means holding their leases again, from the nodes that live on.
    let holdingAfter = 0;
    await until('every agent holding its lease after the failover', async () => (holdingAfter = await fleet.holding()) === n, 30_000).catch(() => {});
    sk = { ...r, onC, holdingAfter, connectAttempts, load: load() };
  } finally {
    await fleet.all('closeAll');
    await procs.stopNodes();
  }

  // Baseline: the same agents, the same backoff, between bare ws servers (no hello, no reconcile).
  let rawMs: number | null = null;
  try {
    const urls = procs.raws.map((r) => `ws://127.0.0.1:${r.port}/raw`);
    await procs.layout(urls, n, true);
    const c = await procs.connect(n, p.connectTimeoutMs);
    if (c.connected === n) {
      await armFor(fleet, urls[2]!);
      const t0 = monoMs();
      procs.raws[2]!.helper.child.kill('SIGKILL');
      await procs.raws[2]!.helper.exited;
      const r = await awaitStorm(fleet, t0, p.failoverTimeoutMs);
      if (r.missing === 0) rawMs = r.ms;
    }
  } finally {
    await fleet.all('closeAll');
    for (const r of procs.raws.slice(0, 2)) await r.helper.call('closeAll').catch(() => {});
  }

  const ok = sk.missing === 0 && sk.holdingAfter === n;
  return [
    row({
      bench: 'cluster',
      figure: `failover: node C killed (kill -9) under ${sk.onC} of ${tag(n)} agents → all reconciled on A and B${sk.missing ? ` (${sk.onC - sk.missing} of ${sk.onC})` : ''}`,
      value: sk.ms / 1000,
      unit: 's',
      baseline: 'bare ws servers, one killed, same agents and backoff',
      baselineValue: rawMs === null ? null : rawMs / 1000,
      ...(!quick ? { target: '≤ 30 s @6k', met: ok && sk.ms <= 30_000 } : {}),
      note: `${sk.attempts} connection attempts after the kill; failed ones by cause ${JSON.stringify(sk.failures)}; ${sk.holdingAfter} of ${n} agents holding their lease afterwards; connecting the ${n} took ${sk.connectAttempts} attempts; ${sk.load}`,
    }),
  ];
}

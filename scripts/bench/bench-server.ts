// The Seatkeeper server under test, in a process of its own (dist/bench-server.mjs) so its RSS
// and event loop are its own: the real startServer with production defaults, plus IPC commands to
// seed a fleet straight into the store, force a GC, read event-loop stalls and CPU-profile a phase.
//   node dist/bench-server.mjs --data DIR [--port N] [--database postgres://…]  (a cluster node)
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startServer } from '../../server/app.js';
import { defaultLimits } from '../../server/core/config.js';
import { hashSecret, newSecret } from '../../server/core/ids.js';
import { createOrganization } from '../../server/ops/create-organization.js';
import { emit, serve } from './rpc.js';
import { accountIdOf, assignmentIdOf, BENCH_INVENTORY, BENCH_INVENTORY_HASH, BENCH_PRODUCT, benchDeviceKey, deviceIdOf } from './fleet-identity.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' }, database: { type: 'string' } } });
if (!values.data) throw new Error('bench-server: --data DIR is required');

// The fleet is thousands of workstations simulated from one loopback address: the per-address
// caps (made for strangers, issue 14) are lifted here; the flood bench measures them.
const fleetLimits = { ...defaultLimits, connectionsPerAddress: 1_000_000, unhelloedSocketsPerAddress: 1_000_000, publicRoute: { attempts: 1_000_000, windowSeconds: 60 }, enrollments: { attempts: 1_000_000, windowSeconds: 60 } };
const server = await startServer({ dataDir: values.data, port: Number(values.port ?? 0), logLevel: 'error', limits: fleetLimits }, values.database ? { storage: { databaseUrl: values.database } } : {});
const s = server.services;
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();
// On a shared machine a process that is not scheduled stalls too, and that is not its code: a 5 ms
// timer notes, for each late tick, how much CPU the process used meanwhile (all its threads), so
// a stall can be told apart from the operating system keeping the server off the CPU.
const TICK_MS = 5;
let onCpuMaxMs = 0;
let lastTick = performance.now();
// One getrusage a tick: each costs the server tens of microseconds on this VM.
let lastCpu = process.cpuUsage();
setInterval(() => {
  const now = performance.now();
  const cpu = process.cpuUsage();
  const late = now - lastTick - TICK_MS;
  if (late > 0) onCpuMaxMs = Math.max(onCpuMaxMs, Math.min(late, (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000));
  lastTick = now;
  lastCpu = cpu;
}, TICK_MS).unref();
let org: { orgId: string; lineId: string; adminId: string } | null = null;

const ADMIN_ID = 'acc_bench_admin';

/** An organization with `n` members, each assigned a seat and signed in on a workstation of their own. */
async function seed({ n }: { n: number }) {
  const now = s.clock();
  const orgId = await createOrganization(s, {
    name: 'Bench Fleet',
    contracts: [{ number: 'C-BENCH', serials: [`BENCH-${process.pid}-${now}`], lines: [{ productCode: BENCH_PRODUCT, seats: Math.max(1, n), method: 'named-user' }] }],
  });
  const lineId = Object.values(s.store.org(orgId)!.contracts)[0]!.lines[0]!.id;
  const token = newSecret('skt');
  const keys = Array.from({ length: n }, (_, i) => benchDeviceKey(i).publicKeyX);
  await s.store.tx((t) => {
    const g = t.global();
    const doc = t.org(orgId)!;
    g.accounts[ADMIN_ID] = { id: ADMIN_ID, email: 'admin@bench.test', aliases: [], name: 'Bench Admin', passwordHash: null, status: 'active', createdAt: now };
    g.apiTokens[hashSecret(token)] = { id: 'tok_bench', accountId: ADMIN_ID, name: 'bench', createdAt: now, lastUsedAt: null };
    doc.members[ADMIN_ID] = { accountId: ADMIN_ID, role: 'owner', joinedAt: now };
    doc.org.claimedBy = ADMIN_ID;
    doc.org.claimedAt = now;
    doc.org.termsAcceptedAt = now;
    for (let i = 0; i < n; i++) {
      const acc = accountIdOf(i);
      g.accounts[acc] = { id: acc, email: `user${i}@bench.test`, aliases: [], name: `User ${i}`, passwordHash: null, status: 'active', createdAt: now };
      doc.members[acc] = { accountId: acc, role: 'member', joinedAt: now };
      doc.assignments[assignmentIdOf(i)] = { id: assignmentIdOf(i), lineId, accountId: acc, assignedBy: ADMIN_ID, assignedAt: now };
      const dev = deviceIdOf(i);
      // The record the enrollment route writes, signed in as the member by a device code.
      doc.devices[dev] = {
        id: dev,
        machineIdHash: createHash('sha256').update(`bench-machine-${i}`).digest('hex'),
        hostname: `ws-${i}`,
        os: { platform: 'linux', distro: 'Bench', release: '1', arch: 'x64' },
        agentVersion: 'bench',
        publicKey: keys[i]!,
        enrolledAt: now - n + i,
        enrolledWith: 'enr_bench',
        lastSeenAt: null,
        signedInAccountId: acc,
        inventory: BENCH_INVENTORY,
        inventoryHash: BENCH_INVENTORY_HASH,
        revokedAt: null,
      };
    }
  });
  org = { orgId, lineId, adminId: ADMIN_ID };
  return { ...org, token };
}

/** Gives the seats of `indices` back in one transaction (after a round of measured unassigns). */
async function restore({ indices }: { indices: number[] }) {
  const { orgId, lineId } = org!;
  const now = s.clock();
  await s.store.tx((t) => {
    const doc = t.org(orgId)!;
    for (const i of indices) doc.assignments[assignmentIdOf(i)] = { id: assignmentIdOf(i), lineId, accountId: accountIdOf(i), assignedBy: ADMIN_ID, assignedAt: now };
  });
  s.gateway.rightsChanged({ orgId, accountIds: indices.map(accountIdOf) });
}

/** How long one small change to the organization takes to become durable (median of `times`). */
async function commitProbe({ times }: { times: number }) {
  const ms: number[] = [];
  for (let k = 0; k < times; k++) {
    const t0 = performance.now();
    await s.store.tx((t) => {
      t.org(org!.orgId)!.org.termsAcceptedAt = Date.now();
    });
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
}

function stats() {
  const doc = org ? s.store.org(org.orgId) : undefined;
  return {
    memory: process.memoryUsage(),
    leases: doc ? Object.keys(doc.leases).length : 0,
    online: org ? s.gateway.presence.onlineDevices(org.orgId).size : 0,
  };
}

serve(
  {
    seed,
    restore,
    commitProbe,
    stats,
    gc: async () => {
      for (let i = 0; i < 3; i++) {
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((r) => setTimeout(r, 50));
      }
      return process.memoryUsage();
    },
    eldReset: () => {
      eld.reset();
      onCpuMaxMs = 0;
    },
    eldRead: () => ({ maxMs: eld.max / 1e6, p99Ms: eld.percentile(99) / 1e6, meanMs: eld.mean / 1e6, onCpuMaxMs }),
  },
  { url: server.url, port: server.port },
);

const stop = () => {
  void server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

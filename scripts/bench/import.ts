// Bench: bulk import. A 5,000-row CSV import (half members rows giving a SW-PREMIUM seat, half
// assignment rows giving a BIM-COLLAB seat) sent as `seatctl import` sends it (parsed by its CSV
// reader, chunks of ≤ 1000 rows and 48 KiB to POST /import), against the same 5,000 assignments made one
// POST /assignments call at a time. Also the dry run, the rerun that changes nothing, and the
// import into an organization already holding many assignments (linear, not rows × assignments).
// Each run on a server of its own (real startServer, loopback HTTP, an API token), in this process.
import { mkdtemp, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerHandle } from '../../server/app.js';
import { defaultLimits } from '../../server/core/config.js';
import { hashSecret, newSecret } from '../../server/core/ids.js';
import { createOrganization } from '../../server/ops/create-organization.js';
import { parseImportCsv } from '../../seatctl/commands/import.js';
import { importChunks } from '../../shared/api/import.js';
import { row, type Row } from './report.js';

const ADMIN = 'acc_import_admin';
const accountOf = (i: number) => `acc_import_${i}`;
const emailOf = (i: number) => `user${i}@bench.test`;

/** One loopback address sends everything: the per-address caps (for strangers) are lifted here. */
const benchLimits = { ...defaultLimits, connectionsPerAddress: 1_000_000, unhelloedSocketsPerAddress: 1_000_000, publicRoute: { attempts: 1_000_000, windowSeconds: 60 } };

interface World {
  server: ServerHandle;
  dir: string;
  orgId: string;
  token: string;
  lines: { sw: string; bim: string };
}

/**
 * A server with an organization of `people` members (none holding a seat), and `held` more
 * holding seats of a third product already: what the import plans against.
 */
async function world(people: number, held: number): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'sk-bench-import-'));
  const server = await startServer({ dataDir: dir, port: 0, logLevel: 'error', limits: benchLimits });
  const s = server.services;
  const now = s.clock();
  const orgId = await createOrganization(s, {
    name: 'Bench Import',
    contracts: [
      {
        number: 'C-IMPORT',
        serials: [`IMPORT-${process.pid}-${now}`],
        lines: [
          { productCode: 'SW-PREMIUM', seats: people, method: 'named-user' },
          { productCode: 'BIM-COLLAB', seats: people, method: 'named-user' },
          { productCode: 'REVIT', seats: Math.max(1, held), method: 'named-user' },
        ],
      },
    ],
  });
  const token = newSecret('skt');
  const lineIds = Object.values(s.store.org(orgId)!.contracts)[0]!.lines;
  const lineOf = (code: string) => lineIds.find((l) => l.productCode === code)!.id;
  await s.store.tx((t) => {
    const g = t.global();
    const doc = t.org(orgId)!;
    g.accounts[ADMIN] = { id: ADMIN, email: 'admin@bench.test', aliases: [], name: 'Bench Admin', passwordHash: null, status: 'active', createdAt: now };
    g.apiTokens[hashSecret(token)] = { id: 'tok_import', accountId: ADMIN, name: 'bench', createdAt: now, lastUsedAt: null };
    doc.members[ADMIN] = { accountId: ADMIN, role: 'owner', joinedAt: now };
    doc.org.claimedBy = ADMIN;
    doc.org.claimedAt = now;
    doc.org.termsAcceptedAt = now;
    for (let i = 0; i < people + held; i++) {
      const id = accountOf(i);
      g.accounts[id] = { id, email: emailOf(i), aliases: [], name: `User ${i}`, passwordHash: null, status: 'active', emailVerifiedAt: now, createdAt: now };
      doc.members[id] = { accountId: id, role: 'member', joinedAt: now };
      if (i >= people) doc.assignments[`asg_held_${i}`] = { id: `asg_held_${i}`, lineId: lineOf('REVIT'), accountId: id, assignedBy: ADMIN, assignedAt: now };
    }
  });
  return { server, dir, orgId, token, lines: { sw: lineOf('SW-PREMIUM'), bim: lineOf('BIM-COLLAB') } };
}

async function close(w: World): Promise<void> {
  await w.server.close();
  await rm(w.dir, { recursive: true, force: true });
}

async function post(w: World, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${w.server.url}/api/v1/orgs/${w.orgId}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${w.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** The two files: members rows (a SW-PREMIUM seat each) for the first half, assignment rows (BIM-COLLAB) for the rest. */
function files(rows: number) {
  const half = Math.floor(rows / 2);
  const members = ['email,name,role,products', ...Array.from({ length: half }, (_, i) => `${emailOf(i)},User ${i},member,SW-PREMIUM`)].join('\n');
  const assignments = ['email,product', ...Array.from({ length: rows - half }, (_, k) => `${emailOf(half + k)},BIM-COLLAB`)].join('\n');
  return { half, members, assignments };
}

/** As seatctl sends a file: its CSV reader, then the chunks one after another. */
async function importFile(w: World, kind: 'members' | 'assignments', text: string, dryRun: boolean) {
  const counts = { done: 0, unchanged: 0, refused: 0 };
  const { rows, malformed } = parseImportCsv(text, kind);
  if (malformed.length) throw new Error(`${malformed.length} malformed rows`);
  for (const chunk of importChunks(rows)) {
    const r = (await post(w, '/import', { kind, dryRun, rows: chunk })) as { counts: typeof counts };
    counts.done += r.counts.done;
    counts.unchanged += r.counts.unchanged;
    counts.refused += r.counts.refused;
  }
  return counts;
}

/** Rows per second of importing both files; checks what every row did. */
async function timedImport(w: World, rows: number, dryRun: boolean, want: 'done' | 'unchanged'): Promise<number> {
  const f = files(rows);
  const t0 = performance.now();
  const a = await importFile(w, 'members', f.members, dryRun);
  const b = await importFile(w, 'assignments', f.assignments, dryRun);
  const seconds = (performance.now() - t0) / 1000;
  const got = a[want] + b[want];
  if (got !== rows) throw new Error(`import: ${got} of ${rows} rows ${want} (${JSON.stringify({ a, b })})`);
  return rows / seconds;
}

/**
 * The baseline: the same assignments, one POST /assignments call after another (the first
 * `calls` of them: on a large organization each call is slow enough that a sample gives the rate).
 */
async function timedOneByOne(w: World, rows: number, calls = rows): Promise<number> {
  const half = Math.floor(rows / 2);
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await post(w, '/assignments', { lineId: i < half ? w.lines.sw : w.lines.bim, accountId: accountOf(i) });
  return calls / ((performance.now() - t0) / 1000);
}

async function measure(rows: number, held: number, baselineCalls = rows) {
  const imp = await world(rows, held);
  let fresh: number, dry: number, rerun: number;
  try {
    // Warm-up, not timed: the first requests of a fresh process run cold code (a dry run writes nothing).
    await timedImport(imp, Math.min(rows, 100), true, 'done');
    dry = await timedImport(imp, rows, true, 'done');
    fresh = await timedImport(imp, rows, false, 'done');
    rerun = await timedImport(imp, rows, false, 'unchanged');
    process.stderr.write(`    import ${fresh.toFixed(0)} rows/s, dry run ${dry.toFixed(0)}, rerun ${rerun.toFixed(0)}\n`);
  } finally {
    await close(imp);
  }
  const one = await world(rows, held);
  let baseline: number;
  try {
    baseline = await timedOneByOne(one, rows, baselineCalls);
  } finally {
    await close(one);
  }
  process.stderr.write(`    one call at a time ${baseline.toFixed(1)} rows/s (n=${baselineCalls})\n`);
  return { fresh, dry, rerun, baseline };
}

export async function benchImport(quick: boolean): Promise<Row[]> {
  const rows = quick ? 500 : 5000;
  const held = quick ? 2000 : 20_000;
  const baseline = `the same ${rows} assignments, one POST /assignments call at a time`;
  const out: Row[] = [];
  process.stderr.write(`  import ${rows} rows…\n`);
  const m = await measure(rows, 0);
  out.push(
    row({
      bench: 'import',
      figure: `import ${rows} rows (members + assignments), rows/s`,
      value: m.fresh,
      unit: 'rows/s',
      baseline,
      baselineValue: m.baseline,
      note: `${rows / 2} members rows (a seat each) and ${rows / 2} assignment rows, read by seatctl's CSV reader and sent as seatctl sends it (chunks of ≤ 1000 rows, ≤ 48 KiB) to POST /import with an API token; mails to the outbox; a server of its own in the bench process`,
    }),
    row({ bench: 'import', figure: `import dry run ${rows} rows, rows/s`, value: m.dry, unit: 'rows/s', baseline, baselineValue: m.baseline }),
    row({ bench: 'import', figure: `import rerun ${rows} rows (nothing to change), rows/s`, value: m.rerun, unit: 'rows/s', baseline, baselineValue: m.baseline }),
  );
  process.stderr.write(`  import ${rows} rows into an organization holding ${held} assignments…\n`);
  // Each single call there checks near misses against every member: a sample of calls gives its rate.
  const sample = quick ? 50 : 100;
  const crowded = await measure(rows, held, sample);
  out.push(
    row({
      bench: 'import',
      figure: `import ${rows} rows, ${held} assignments held already, rows/s`,
      value: crowded.fresh,
      unit: 'rows/s',
      baseline: `the first ${sample} of those assignments, one POST /assignments call at a time, same organization`,
      baselineValue: crowded.baseline,
      note: `${held + rows} members; planning is linear in rows (the seat index); a single POST /assignments scans every member for near-miss addresses, hence its low rate here`,
    }),
    row({ bench: 'import', figure: `import dry run ${rows} rows, ${held} assignments held already, rows/s`, value: crowded.dry, unit: 'rows/s', baseline: `the dry run on the organization without them`, baselineValue: m.dry }),
  );
  return out;
}

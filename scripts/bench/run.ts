// `npm run bench [-- --quick] [-- --only NAME]`: runs the benchmark sections one after another on
// loopback and prints one table. Each full section writes bench-results/section-NAME.json and replaces
// its own rows in the README's table as soon as it ends (the others stay, with their own dates); a run
// of every section also writes bench-results/latest.json. A quick run writes quick.json, other levels,
// another server build or a profiler (SEATKEEPER_BENCH_*) partial.json, and neither touches the README.
import { mkdir, writeFile } from 'node:fs/promises';
import { machine, notesOf, table, type Row } from './report.js';
import { benchAgentFootprint, benchAgentSoak } from './agent-footprint.js';
import { benchCheck } from './check.js';
import { benchWindowsCheck } from './check-wine.js';
import { benchAgentWine } from './agent-wine.js';
import { benchFleet } from './fleet.js';
import { benchFlood } from './flood.js';
import { benchLeases } from './leases.js';
import { benchStore } from './store.js';
import { benchCluster } from './cluster.js';
import { benchImport } from './import.js';
import { benchWebhookLog } from './webhook-log.js';
import { mergeIntoReadme, type BenchResults } from '../bench-readme.js';

type Bench = { name: string; run(quick: boolean): Promise<Row[]> };

const benches: Bench[] = [
  { name: 'fleet', run: benchFleet },
  { name: 'lease', run: benchLeases },
  { name: 'check', run: benchCheck },
  { name: 'check-win', run: benchWindowsCheck },
  // Full: 11 minutes of an idle connected daemon (RSS at 5, CPU and writes over 10); --quick: about a minute.
  { name: 'agent', run: benchAgentFootprint },
  // Full: 30 minutes of it, for the slopes (RSS, heap after GC, fds, state directory); --quick: about a minute.
  { name: 'soak', run: benchAgentSoak },
  // The Windows build's daemon under Wine beside a bare node.exe there: 11 minutes; --quick: about a minute.
  { name: 'agent-win', run: benchAgentWine },
  { name: 'store', run: benchStore },
  { name: 'flood', run: benchFlood },
  // Several nodes on one PostgreSQL (its own, started and stopped here): revoke across nodes, failover, assign.
  { name: 'cluster', run: benchCluster },
  // Bulk import: 5,000 CSV rows through POST /import against the same assignments one call at a time.
  { name: 'import', run: benchImport },
  // Webhook delivery log: store commits per 1,000 attempts (batched per tick) and attempts per second.
  { name: 'webhooks', run: benchWebhookLog },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;
if (onlyIdx >= 0 && !benches.some((b) => b.name === only)) {
  process.stderr.write(`bench: no section ${JSON.stringify(only ?? '')}; one of ${benches.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}
// Other fleet sizes, an experimental server build or a profiler make a run that is not the full one.
const partial = !!process.env.SEATKEEPER_BENCH_LEVELS || !!process.env.SEATKEEPER_BENCH_SERVER || !!process.env.SEATKEEPER_BENCH_SERVER_FLAGS || !!process.env.SEATKEEPER_BENCH_PROFILE;
const publish = !quick && !partial;
const order = benches.map((b) => b.name);
const today = () => new Date().toISOString().slice(0, 10);

await mkdir('bench-results', { recursive: true });
const started = Date.now();
const rows: Row[] = [];
const failed: string[] = [];
for (const b of benches) {
  if (only && b.name !== only) continue;
  process.stderr.write(`bench ${b.name}${quick ? ' (quick)' : ''}…\n`);
  const t0 = Date.now();
  let sectionRows: Row[] = [];
  try {
    sectionRows = await b.run(quick);
    rows.push(...sectionRows);
  } catch (err) {
    process.stderr.write(`bench ${b.name} failed: ${(err as Error).stack}\n`);
    failed.push(b.name);
    process.exitCode = 1;
  }
  const seconds = Math.round((Date.now() - t0) / 1000);
  process.stderr.write(`bench ${b.name} done in ${seconds} s\n`);
  if (!publish || failed.includes(b.name)) continue;
  if (!sectionRows.length) {
    process.stderr.write(`bench ${b.name}: no rows on this machine; its README rows left as they were\n`);
    continue;
  }
  // Published as soon as the section ends: a later section failing or being stopped keeps it.
  const section: BenchResults = { header: `Seatkeeper benchmarks, ${b.name} — ${today()} — ${machine()} — ${seconds} s`, section: b.name, date: today(), machine: machine(), seconds, quick, partial, failed: [], rows: sectionRows };
  const file = `bench-results/section-${b.name}.json`;
  await writeFile(file, JSON.stringify(section, null, 2));
  try {
    process.stderr.write(`wrote ${file}; ${await mergeIntoReadme([section], 'README.md', order)}\n`);
  } catch (err) {
    process.stderr.write(`README.md benchmark table not updated for ${b.name}: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
const seconds = Math.round((Date.now() - started) / 1000);
const kind = quick ? ' — quick' : partial ? ' — partial' : only ? ` — ${only} only` : '';
const header = `Seatkeeper benchmarks — ${today()} — ${machine()}${kind} — ${seconds} s`;
const notes = notesOf(rows);
process.stdout.write(`\n${header}\n\n${table(rows)}\n${notes.length ? `\nNotes:\n${notes.join('\n')}\n` : ''}`);
const results: BenchResults = { header, date: today(), machine: machine(), seconds, quick, partial, failed, rows };
const file = `bench-results/${quick ? 'quick' : partial ? 'partial' : only ? `only-${only}` : 'latest'}.json`;
await writeFile(file, JSON.stringify(results, null, 2));
process.stderr.write(`wrote ${file}\n`);
if (publish && failed.length) process.stderr.write(`README.md benchmark rows of ${failed.join(', ')} not updated: failed\n`);
// A run of every section leaves no section in the README that no longer exists.
if (publish && !only && !failed.length) await mergeIntoReadme([], 'README.md', order, order);

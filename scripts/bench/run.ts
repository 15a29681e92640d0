// `npm run bench [-- --quick] [-- --only NAME]`: runs the benchmarks one after another on
// loopback and prints one table. A full run writes bench-results/latest.json and the README's
// table; a quick run writes quick.json, a partial one (--only, SEATKEEPER_BENCH_LEVELS) partial.json,
// so neither can stand in for the full run.
import { mkdir, writeFile } from 'node:fs/promises';
import { machine, notesOf, table, type Row } from './report.js';
import { benchAgentFootprint } from './agent-footprint.js';
import { benchCheck } from './check.js';
import { benchWindowsCheck } from './check-wine.js';
import { benchFleet } from './fleet.js';
import { benchFlood } from './flood.js';
import { benchLeases } from './leases.js';
import { benchStore } from './store.js';
import { writeBenchReadme, type BenchResults } from '../bench-readme.js';

type Bench = { name: string; run(quick: boolean): Promise<Row[]> };

const benches: Bench[] = [
  { name: 'fleet', run: benchFleet },
  { name: 'lease', run: benchLeases },
  { name: 'check', run: benchCheck },
  { name: 'check-win', run: benchWindowsCheck },
  // Full: 30 minutes of an idle connected daemon; --quick: about a minute.
  { name: 'agent', run: benchAgentFootprint },
  { name: 'store', run: benchStore },
  { name: 'flood', run: benchFlood },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;
// Other fleet sizes, an experimental server build or a profiler make a run that is not the full one.
const partial = only !== undefined || !!process.env.SEATKEEPER_BENCH_LEVELS || !!process.env.SEATKEEPER_BENCH_SERVER || !!process.env.SEATKEEPER_BENCH_PROFILE;

const started = Date.now();
const rows: Row[] = [];
const failed: string[] = [];
for (const b of benches) {
  if (only && b.name !== only) continue;
  process.stderr.write(`bench ${b.name}${quick ? ' (quick)' : ''}…\n`);
  const t0 = Date.now();
  try {
    rows.push(...(await b.run(quick)));
  } catch (err) {
    process.stderr.write(`bench ${b.name} failed: ${(err as Error).stack}\n`);
    failed.push(b.name);
    process.exitCode = 1;
  }
  process.stderr.write(`bench ${b.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
const seconds = Math.round((Date.now() - started) / 1000);
const date = new Date().toISOString().slice(0, 10);
const kind = quick ? ' — quick' : partial ? ' — partial' : '';
const header = `Seatkeeper benchmarks — ${date} — ${machine()}${kind} — ${seconds} s`;
const notes = notesOf(rows);
process.stdout.write(`\n${header}\n\n${table(rows)}\n${notes.length ? `\nNotes:\n${notes.join('\n')}\n` : ''}`);
const results: BenchResults = { header, date, machine: machine(), seconds, quick, partial, failed, rows };
await mkdir('bench-results', { recursive: true });
const file = `bench-results/${quick ? 'quick' : partial ? 'partial' : 'latest'}.json`;
await writeFile(file, JSON.stringify(results, null, 2));
process.stderr.write(`wrote ${file}\n`);
if (!quick && !partial) {
  if (failed.length) process.stderr.write(`README.md benchmark table not updated: ${failed.join(', ')} failed\n`);
  else process.stderr.write(`${await writeBenchReadme(file, 'README.md')}\n`);
}

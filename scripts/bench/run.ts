// `npm run bench [-- --quick] [-- --only NAME]`: runs the benchmarks one after another on
// loopback, prints one table and writes bench-results/latest.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { machine, table, type Row } from './report.js';
import { benchCheck } from './check.js';
import { benchFleet } from './fleet.js';
import { benchLeases } from './leases.js';
import { benchStore } from './store.js';

type Bench = { name: string; run(quick: boolean): Promise<Row[]> };

const benches: Bench[] = [
  { name: 'fleet', run: benchFleet },
  { name: 'lease', run: benchLeases },
  { name: 'check', run: benchCheck },
  { name: 'store', run: benchStore },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;

const started = Date.now();
const rows: Row[] = [];
for (const b of benches) {
  if (only && b.name !== only) continue;
  process.stderr.write(`bench ${b.name}${quick ? ' (quick)' : ''}…\n`);
  const t0 = Date.now();
  try {
    rows.push(...(await b.run(quick)));
  } catch (err) {
    process.stderr.write(`bench ${b.name} failed: ${(err as Error).stack}\n`);
    process.exitCode = 1;
  }
  process.stderr.write(`bench ${b.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
const header = `Seatkeeper benchmarks — ${new Date().toISOString().slice(0, 10)} — ${machine()}${quick ? ' — quick' : ''} — ${((Date.now() - started) / 1000).toFixed(0)} s`;
const notes = rows.filter((r) => r.note).map((r) => `- ${r.bench} / ${r.figure}: ${r.note}`);
process.stdout.write(`\n${header}\n\n${table(rows)}\n${notes.length ? `\nNotes:\n${notes.join('\n')}\n` : ''}`);
await mkdir('bench-results', { recursive: true });
await writeFile(`bench-results/${quick ? 'quick' : 'latest'}.json`, JSON.stringify({ header, rows }, null, 2));

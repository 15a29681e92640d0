// `npm run bench:readme` (and the end of every full `npm run bench`): writes the last full run,
// bench-results/latest.json, into the README between <!-- bench:start --> and <!-- bench:end -->.
// Every figure comes from that file; a quick, partial or failed run is refused, not published.
import { readFile, writeFile } from 'node:fs/promises';
import { notesOf, table, type Row } from './bench/report.js';
import { replaceSection } from './readme-section.js';

export interface BenchResults {
  header: string;
  /** absent in files written before these fields existed: then read from `header` */
  date?: string;
  machine?: string;
  seconds?: number;
  quick?: boolean;
  partial?: boolean;
  failed?: string[];
  rows: Row[];
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/** Date, machine and duration of a run, from its fields or from the header run.ts prints. */
function runOf(r: BenchResults): { date: string; machine: string; seconds: string } {
  // "Seatkeeper benchmarks — DATE — MACHINE[ — quick] — N s"
  const parts = r.header.split(' — ');
  const seconds = r.seconds !== undefined ? `${r.seconds} s` : (parts.find((p) => /^\d+ s$/.test(p)) ?? '');
  const date = r.date ?? parts[1];
  const machine = r.machine ?? parts[2];
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !machine) throw new Error(`cannot read the date and machine of this run from its header: ${r.header}`);
  return { date, machine, seconds };
}

function refusal(r: BenchResults): string | null {
  if (!Array.isArray(r.rows) || r.rows.length === 0) return 'it has no rows';
  if (r.quick || / — quick( — |$)/.test(r.header)) return 'it is a quick run (`--quick`), not the full one';
  if (r.partial || / — partial( — |$)/.test(r.header)) return 'it is a partial run (`--only` or SEATKEEPER_BENCH_LEVELS)';
  if (r.failed?.length) return `benches failed in it: ${r.failed.join(', ')}`;
  return null;
}

/** The README section, markers included, for a full run. */
export function renderBenchSection(r: BenchResults): string {
  const why = refusal(r);
  if (why) throw new Error(`not writing these results into the README: ${why}`);
  const run = runOf(r);
  const notes = notesOf(r.rows);
  return [
    START,
    `Last full run: **${run.date}** on ${run.machine}${run.seconds ? `, ${run.seconds} in all` : ''} (written by \`npm run bench:readme\` from \`bench-results/latest.json\`).`,
    '',
    table(r.rows),
    '',
    'Ratio: value ÷ baseline value, both measured in the same run. "n" is how many samples a percentile is over; a p99 of fewer than 100 samples is their maximum.',
    ...(notes.length ? ['', 'Notes:', '', ...notes] : []),
    END,
  ].join('\n');
}

/** Replaces the section between the bench markers (which must be there, once). */
export function replaceBenchSection(readme: string, section: string): string {
  return replaceSection(readme, 'bench', section);
}

export async function writeBenchReadme(resultsPath: string, readmePath: string): Promise<string> {
  let results: BenchResults;
  try {
    results = JSON.parse(await readFile(resultsPath, 'utf8')) as BenchResults;
  } catch (err) {
    throw new Error(`cannot read ${resultsPath} (run the full \`npm run bench\` first): ${(err as Error).message}`);
  }
  const section = renderBenchSection(results);
  await writeFile(readmePath, replaceBenchSection(await readFile(readmePath, 'utf8'), section));
  return `${readmePath} benchmark table: ${results.rows.length} figures from ${resultsPath} (${runOf(results).date})`;
}

if (process.argv[1] && /bench-readme\.(mjs|ts)$/.test(process.argv[1])) {
  try {
    process.stdout.write(`${await writeBenchReadme('bench-results/latest.json', 'README.md')}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

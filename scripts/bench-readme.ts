// `npm run bench:readme [-- FILE…]` (and the end of every full section `npm run bench` runs): merges
// section results (bench-results/section-NAME.json) into the README between <!-- bench:start --> and
// <!-- bench:end -->. Each section's rows are replaced as a whole by its own last full run, the others
// kept as they were, and the section list above the table says when and how long each one ran.
// A quick, partial (other levels, another server build, a profiler) or failed run is refused.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { notesOf, table, type Row } from './bench/report.js';
import { replaceSection } from './readme-section.js';

export interface BenchResults {
  header: string;
  /** the one section these results are of (section-NAME.json); absent in a whole run's latest.json */
  section?: string;
  /** absent in files written before these fields existed: then read from `header` */
  date?: string;
  machine?: string;
  seconds?: number;
  quick?: boolean;
  partial?: boolean;
  failed?: string[];
  rows: Row[];
}

/** One section as the README carries it: its run, and its table and note lines already rendered. */
export interface SectionEntry {
  name: string;
  date: string;
  seconds: string;
  machine: string;
  rows: string[];
  notes: string[];
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';
const LIST_HEAD = '| section | run on | seconds | machine |';
const NAME = /^[a-z0-9][a-z0-9-]*$/;
const NOTE_SEP = ' › ';

/** Date, machine and duration of a run, from its fields or from the header run.ts prints. */
function runOf(r: BenchResults): { date: string; machine: string; seconds: string } {
  // "Seatkeeper benchmarks — DATE — MACHINE[ — quick] — N s"
  const parts = r.header.split(' — ');
  const seconds = r.seconds !== undefined ? String(r.seconds) : (parts.find((p) => /^\d+ s$/.test(p))?.replace(/ s$/, '') ?? '—');
  const date = r.date ?? parts[1];
  const machine = r.machine ?? parts[2];
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !machine) throw new Error(`cannot read the date and machine of this run from its header: ${r.header}`);
  return { date, machine, seconds };
}

function refusal(r: BenchResults): string | null {
  if (!Array.isArray(r.rows) || r.rows.length === 0) return 'it has no rows';
  if (r.quick || / — quick( — |$)/.test(r.header)) return 'it is a quick run (`--quick`), not the full one';
  if (r.partial || / — partial( — |$)/.test(r.header)) return 'it is a partial run (SEATKEEPER_BENCH_LEVELS, SEATKEEPER_BENCH_SERVER or a profiler)';
  if (r.failed?.length) return `benches failed in it: ${r.failed.join(', ')}`;
  if (!r.section || !NAME.test(r.section)) return 'it names no section (section-NAME.json files carry one)';
  return null;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README entry for one section's full run; refuses what must not be published. */
export function sectionEntry(r: BenchResults): SectionEntry {
  const why = refusal(r);
  if (why) throw new Error(`not writing these results into the README: ${why}`);
  const name = r.section!;
  const run = runOf(r);
  return {
    name,
    ...run,
    // report.ts's table without its two header lines, each row led by its section.
    rows: table(r.rows).split('\n').slice(2).map((line) => `| ${name} ${line}`),
    notes: notesOf(r.rows).map((line) => `- ${name}${NOTE_SEP}${line.slice(2)}`),
  };
}

/** The sections the README's bench region holds now, in its order (none when it has no section list yet). */
export function parseBenchSection(region: string): SectionEntry[] {
  const lines = region.split('\n');
  const listAt = lines.indexOf(LIST_HEAD);
  if (listAt < 0) return [];
  const entries = new Map<string, SectionEntry>();
  for (let i = listAt + 2; i < lines.length && lines[i]!.startsWith('| '); i++) {
    const [name, date, seconds, ...machine] = lines[i]!.slice(2, -2).split(' | ');
    if (!name || !NAME.test(name) || !date || !seconds) throw new Error(`cannot read this line of the README's section list: ${lines[i]}`);
    entries.set(name, { name, date, seconds, machine: machine.join(' | '), rows: [], notes: [] });
  }
  const owner = (line: string, sep: string) => entries.get(line.slice(2, line.indexOf(sep, 2)));
  for (const line of lines.slice(listAt + 2 + entries.size)) {
    if (line.startsWith('| ') && !line.startsWith('| section | ') && !line.startsWith('| --- ')) {
      const e = owner(line, ' | ');
      if (!e) throw new Error(`a row of the README's benchmark table belongs to no listed section: ${line}`);
      e.rows.push(line);
    } else if (line.startsWith('- ') && line.includes(NOTE_SEP)) {
      owner(line, NOTE_SEP)?.notes.push(line);
    }
  }
  return [...entries.values()];
}

/** The whole region, markers included, for these sections in this order. */
export function renderBenchSection(entries: SectionEntry[]): string {
  const notes = entries.flatMap((e) => e.notes);
  const head = table([]).split('\n');
  return [
    START,
    'Each section below comes from its own full run, on the date given: `npm run bench` runs them all, `npm run bench -- --only NAME` one, and replaces only that section\'s rows.',
    '',
    LIST_HEAD,
    '| --- | --- | --- | --- |',
    ...entries.map((e) => `| ${e.name} | ${e.date} | ${e.seconds} | ${cell(e.machine)} |`),
    '',
    `| section ${head[0]}`,
    `| --- ${head[1]}`,
    ...entries.flatMap((e) => e.rows),
    '',
    'Ratio: value ÷ baseline value, both measured in the same run. "n" is how many samples a percentile is over; a p99 of fewer than 100 samples is their maximum.',
    ...(notes.length ? ['', 'Notes:', '', ...notes] : []),
    END,
  ].join('\n');
}

/**
 * The README's sections with these runs' replacing their namesakes; a new section goes where `order`
 * puts it (the order run.ts runs them in), or last. `keepOnly` drops every section not named in it.
 */
export function mergeSections(current: SectionEntry[], runs: SectionEntry[], order: string[] = [], keepOnly?: string[]): SectionEntry[] {
  const byName = new Map(current.map((e) => [e.name, e]));
  for (const r of runs) byName.set(r.name, r);
  // Known sections in run order; any other where it stood, a new one after those.
  const known = [...current.map((e) => e.name), ...runs.map((e) => e.name)];
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length + known.indexOf(name));
  return [...byName.values()].filter((e) => !keepOnly || keepOnly.includes(e.name)).sort((a, b) => rank(a.name) - rank(b.name));
}

/** Replaces the section between the bench markers (which must be there, once). */
export function replaceBenchSection(readme: string, section: string): string {
  return replaceSection(readme, 'bench', section);
}

function regionOf(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  return start >= 0 && end > start ? readme.slice(start, end) : '';
}

/** Merges the given results into the README's table: what run.ts does after each full section. */
export async function mergeIntoReadme(results: BenchResults[], readmePath: string, order: string[] = [], keepOnly?: string[]): Promise<string> {
  const runs = results.map(sectionEntry);
  const readme = await readFile(readmePath, 'utf8');
  const merged = mergeSections(parseBenchSection(regionOf(readme)), runs, order, keepOnly);
  await writeFile(readmePath, replaceBenchSection(readme, renderBenchSection(merged)));
  return `${readmePath} benchmark table: ${runs.map((r) => `${r.name} (${r.rows.length} rows, ${r.date})`).join(', ')} merged`;
}

export async function writeBenchReadme(resultsPaths: string[], readmePath: string, order: string[] = []): Promise<string> {
  const results: BenchResults[] = [];
  for (const file of resultsPaths) {
    try {
      results.push(JSON.parse(await readFile(file, 'utf8')) as BenchResults);
    } catch (err) {
      throw new Error(`cannot read ${file} (run \`npm run bench\` or \`npm run bench -- --only NAME\` first): ${(err as Error).message}`);
    }
  }
  if (!results.length) throw new Error('no section results to merge (bench-results/section-NAME.json: run `npm run bench -- --only NAME` first)');
  return mergeIntoReadme(results, readmePath, order);
}

if (process.argv[1] && /bench-readme\.(mjs|ts)$/.test(process.argv[1])) {
  try {
    const given = process.argv.slice(2);
    const files = given.length
      ? given
      : (await readdir('bench-results').catch(() => [] as string[])).filter((f) => /^section-[a-z0-9-]+\.json$/.test(f)).map((f) => join('bench-results', f));
    process.stdout.write(`${await writeBenchReadme(files, 'README.md')}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

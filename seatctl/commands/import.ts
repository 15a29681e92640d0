// `seatctl import members|assignments FILE`: a CSV file sent in chunks to POST /import, with a
// progress bar on a terminal, a summary, and a result file with one line per row.
import { readFile, writeFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Command } from 'commander';
import type { Ctx, Runtime } from '../context.js';
import { CliError, EXIT_REFUSED, usage } from '../errors.js';
import { csv, progress } from '../output.js';
import { act } from './shared.js';
import { importChunks } from '../../shared/api/import.js';

type Kind = 'members' | 'assignments';

const COLUMNS: Record<Kind, { required: string[]; optional: string[] }> = {
  members: { required: ['email'], optional: ['name', 'role', 'team', 'products'] },
  assignments: { required: ['email', 'product'], optional: ['contract'] },
};

/** Chunks stay well under the server's 64 KiB body limit and its 1000 rows per call. */

interface Row {
  line: number;
  [k: string]: string | number;
}

interface RowResult {
  line: number;
  email: string;
  status: 'done' | 'unchanged' | 'refused';
  code?: string;
  reason?: string;
  changes: string[];
  warnings: string[];
}

interface Parsed {
  rows: Row[];
  /** rows refused before sending: wrong number of cells */
  malformed: RowResult[];
}

export function parseImportCsv(text: string, kind: Kind): Parsed {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof records;
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw usage(`the file is not valid CSV${line ? ` (line ${line})` : ''}: ${(e as Error).message}`);
  }
  if (!records.length) throw usage('the file is empty');
  const header = records[0]!.record.map((h) => h.trim().toLowerCase());
  const { required, optional } = COLUMNS[kind];
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw usage(`the header lacks ${missing.join(', ')} (columns: ${[...required, ...optional].join(', ')})`);
  const unknown = header.filter((h) => ![...required, ...optional].includes(h));
  if (unknown.length) throw usage(`unknown column(s) ${unknown.join(', ')} (columns: ${[...required, ...optional].join(', ')})`);
  const rows: Row[] = [];
  const malformed: RowResult[] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== header.length) {
      malformed.push({
        line,
        email: record[header.indexOf('email')] ?? '',
        status: 'refused',
        code: 'MALFORMED_ROW',
        reason: `${record.length} cells where the header has ${header.length}.`,
        changes: [],
        warnings: [],
      });
      continue;
    }
    const row: Row = { line, email: '' };
    header.forEach((h, i) => (row[h] = record[i]!));
    rows.push(row);
  }
  return { rows, malformed };
}

async function runImport(ctx: Ctx, kind: Kind, file: string, o: { dryRun?: boolean; result?: string }): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw usage(`cannot read ${file}: ${(e as Error).message}`);
  }
  const { rows, malformed } = parseImportCsv(text, kind);
  const base = await ctx.base();
  const bar = progress(ctx.io, o.dryRun ? 'planning' : 'importing');
  const results: RowResult[] = [...malformed];
  // Per line: free seats when first seen, and what the chunks took (dry run: each chunk is planned alone).
  const seats = new Map<string, { productCode: string; contractNumber: string; free: number; taken: number; short: number }>();
  let done = 0;
  bar.update(0, rows.length);
  for (const chunk of importChunks(rows)) {
    const r = await ctx.api.post<{ results: RowResult[]; seats: Array<{ lineId: string; productCode: string; contractNumber: string; free: number; taken: number; short: number }> }>(
      `${base}/import`,
      { kind, dryRun: !!o.dryRun, rows: chunk },
    );
    results.push(...r.results);
    for (const s of r.seats) {
      const cur = seats.get(s.lineId) ?? { productCode: s.productCode, contractNumber: s.contractNumber, free: s.free, taken: 0, short: 0 };
      cur.taken += s.taken;
      cur.short += s.short;
      seats.set(s.lineId, cur);
    }
    done += chunk.length;
    bar.update(done, rows.length);
  }
  bar.done();
  results.sort((a, b) => a.line - b.line);
  const counts = { done: 0, unchanged: 0, refused: 0 };
  for (const r of results) counts[r.status]++;
  const shortfalls = [...seats.values()].filter((s) => s.taken > s.free || s.short > 0).map((s) => ({ ...s, missing: Math.max(0, s.taken - s.free) + s.short }));

  if (o.result) {
    const body = csv(
      ['line', 'email', 'status', 'code', 'reason', 'changes', 'warnings'],
      results.map((r) => [r.line, r.email, r.status, r.code ?? '', r.reason ?? '', r.changes.join('; '), r.warnings.join('; ')]),
    );
    await writeFile(o.result, body, { mode: 0o600 });
  }
  const summary = { kind, dryRun: !!o.dryRun, rows: results.length, counts, shortfalls, results };
  ctx.print(summary, () => {
    const verb = o.dryRun ? 'would be done' : 'done';
    const lines = [`${kind} import${o.dryRun ? ' (dry run, nothing written)' : ''}: ${results.length} rows: ${counts.done} ${verb}, ${counts.unchanged} unchanged, ${counts.refused} refused.`];
    for (const r of results.filter((x) => x.status === 'refused').slice(0, 20)) lines.push(`  line ${r.line}: ${r.email || '(no email)'}: ${r.reason} (${r.code})`);
    if (counts.refused > 20) lines.push(`  … and ${counts.refused - 20} more refused (see --result FILE)`);
    const warned = results.filter((x) => x.warnings.length);
    for (const r of warned.slice(0, 10)) lines.push(`  warning, line ${r.line}: ${r.warnings.join(' ')}`);
    if (warned.length > 10) lines.push(`  … and ${warned.length - 10} more rows with warnings`);
    for (const s of shortfalls) lines.push(`  seat shortfall: ${s.productCode} (contract ${s.contractNumber}) needs ${s.missing} more seat(s) than are free.`);
    if (o.result) lines.push(`Result per row: ${o.result}`);
    return `${lines.join('\n')}\n`;
  });
  if (counts.refused > 0) throw new CliError(EXIT_REFUSED, `${counts.refused} row(s) refused`, 'ROWS_REFUSED');
}

export function registerImport(program: Command, rt: Runtime): void {
  const imp = program
    .command('import')
    .description('import members or seat assignments from a CSV file (idempotent: a rerun changes nothing)')
    .addHelpText('after', '\nExit code 1 when any row was refused; every row is reported with its line number.');
  for (const kind of ['members', 'assignments'] as const) {
    const cols = COLUMNS[kind];
    imp
      .command(kind)
      .description(
        kind === 'members'
          ? 'members: invite new emails, and for members set the role, add to the team and assign seats of the products'
          : 'seat assignments: give each member a seat of the product (of the contract, when given)',
      )
      .argument('<file>', `a CSV file with a header: ${cols.required.join(', ')} (required), ${cols.optional.join(', ')}`)
      .option('--dry-run', 'show what would change, with near-miss warnings and seat shortfalls; write nothing')
      .option('--result <file>', 'write one CSV line per row: line, email, status, code, reason, changes, warnings')
      .action(act(rt, async (ctx, file: string, o: { dryRun?: boolean; result?: string }) => runImport(ctx, kind, file, o)));
  }
}

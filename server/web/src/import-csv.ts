// The portal's side of a bulk import: a CSV file read into rows (each keeping its line number),
// the rows sent to POST /import in chunks under the body limit, the chunks' replies summed up,
// and the result file. The same columns and rules as `seatctl import`.
import { importChunks, type ImportKind, type ImportLineSeats, type ImportReply, type ImportRow, type ImportRowResult } from '../../../shared/api/import.js';
import { api, orgPath } from './api.js';

export const COLUMNS: Record<ImportKind, { required: string[]; optional: string[] }> = {
  members: { required: ['email'], optional: ['name', 'role', 'team', 'products'] },
  assignments: { required: ['email', 'product'], optional: ['contract'] },
};

export const columnsOf = (kind: ImportKind) => [...COLUMNS[kind].required, ...COLUMNS[kind].optional];

/** The longest cell the server takes (shared/api/import.ts). */
const MAX_CELL = 1000;

/** Chunks stay well under the server's 64 KiB body limit and its rows per call. */

/** A file refused whole (not CSV, no header, a column missing): the reason goes next to the field. */
export class CsvProblem extends Error {}

export interface ParsedCsv {
  rows: ImportRow[];
  /** rows refused before sending: the wrong number of cells */
  malformed: ImportRowResult[];
}

type CsvRecord = { record: string[]; info: { lines: number } };

export async function parseImportCsv(text: string, kind: ImportKind): Promise<ParsedCsv> {
  // The parser is only needed here: loaded with this page, not with every page of the portal.
  const { parse } = await import('csv-parse/browser/esm/sync');
  let records: CsvRecord[];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as CsvRecord[];
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new CsvProblem(`This is not valid CSV${line ? ` (line ${line})` : ''}: ${(e as Error).message}`);
  }
  if (!records.length) throw new CsvProblem('The file is empty: the first line names the columns, each line after it is one row.');
  const header = records[0]!.record.map((h) => h.trim().toLowerCase());
  const known = columnsOf(kind);
  const missing = COLUMNS[kind].required.filter((c) => !header.includes(c));
  if (missing.length) throw new CsvProblem(`The first line lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. Columns: ${known.join(', ')}.`);
  const unknown = header.filter((h) => !known.includes(h));
  if (unknown.length) throw new CsvProblem(`Unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}. Columns: ${known.join(', ')}.`);
  if (records.length === 1) throw new CsvProblem('The file has its header but no rows.');
  const rows: ImportRow[] = [];
  const malformed: ImportRowResult[] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== header.length) {
      const email = record[header.indexOf('email')] ?? '';
      malformed.push({ line, email, status: 'refused', code: 'MALFORMED_ROW', reason: `${record.length} cells where the header has ${header.length}.`, changes: [], warnings: [] });
      continue;
    }
    // The server refuses a whole chunk for one oversized cell: refuse that row alone here.
    if (record.some((c) => c.length > MAX_CELL)) {
      malformed.push({ line, email: (record[header.indexOf('email')] ?? '').slice(0, 200), status: 'refused', code: 'MALFORMED_ROW', reason: `A cell is longer than ${MAX_CELL} characters.`, changes: [], warnings: [] });
      continue;
    }
    const row: Record<string, string | number> = { line };
    header.forEach((h, i) => (row[h] = record[i]!));
    rows.push(row as ImportRow);
  }
  return { rows, malformed };
}

export interface Shortfall {
  productCode: string;
  contractNumber: string;
  missing: number;
}

export interface ImportRun {
  dryRun: boolean;
  results: ImportRowResult[];
  counts: { done: number; unchanged: number; refused: number };
  shortfalls: Shortfall[];
  /** requests the file took (a dry run plans each on its own) */
  parts: number;
}

/**
 * Sends the rows in chunks (a dry run plans each chunk on its own), reporting progress after
 * each; per contract line, free seats as the first chunk found them and what all chunks took.
 */
export async function runImport(orgId: string, kind: ImportKind, parsed: ParsedCsv, dryRun: boolean, progress: (done: number, total: number) => void): Promise<ImportRun> {
  const results: ImportRowResult[] = [...parsed.malformed];
  const seats = new Map<string, ImportLineSeats>();
  let done = 0;
  progress(0, parsed.rows.length);
  const parts = importChunks(parsed.rows);
  for (const chunk of parts) {
    const r = await api.post<ImportReply>(orgPath(orgId, '/import'), { kind, dryRun, rows: chunk });
    results.push(...r.results);
    for (const s of r.seats) {
      const cur = seats.get(s.lineId) ?? { ...s, taken: 0, short: 0 };
      cur.taken += s.taken;
      cur.short += s.short;
      seats.set(s.lineId, cur);
    }
    done += chunk.length;
    progress(done, parsed.rows.length);
  }
  results.sort((a, b) => a.line - b.line);
  const counts = { done: 0, unchanged: 0, refused: 0 };
  for (const r of results) counts[r.status]++;
  const shortfalls = [...seats.values()]
    .filter((s) => s.taken > s.free || s.short > 0)
    .map((s) => ({ productCode: s.productCode, contractNumber: s.contractNumber, missing: Math.max(0, s.taken - s.free) + s.short }));
  return { dryRun, results, counts, shortfalls, parts: parts.length };
}

function csvCell(v: string | number): string {
  const s = String(v);
  // A cell a spreadsheet would run as a formula is quoted as text (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The result file: one line per row, like `seatctl import --result`. */
export function resultCsv(results: ImportRowResult[]): string {
  const head = ['line', 'email', 'status', 'code', 'reason', 'changes', 'warnings'];
  const lines = results.map((r) => [r.line, r.email, r.status, r.code ?? '', r.reason ?? '', r.changes.join('; '), r.warnings.join('; ')].map(csvCell).join(','));
  return `${[head.join(','), ...lines].join('\r\n')}\r\n`;
}

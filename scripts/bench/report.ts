// Benchmark rows, percentiles and the printed table. Every figure sits beside a baseline measured
// in the same run, so the ratio means something on whatever machine ran it.
import { cpus, totalmem } from 'node:os';

export interface Row {
  bench: string;
  figure: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue: number | null;
  /** value / baselineValue */
  ratio: number | null;
  target?: string;
  met?: boolean;
  note?: string;
}

export function row(r: Omit<Row, 'ratio'> & { ratio?: number | null }): Row {
  const ratio = r.ratio !== undefined ? r.ratio : r.baselineValue ? r.value / r.baselineValue : null;
  return { ...r, ratio };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, n: s.length };
}

const fmt = (v: number | null) => (v === null || Number.isNaN(v) ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3));

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function table(rows: Row[]): string {
  const head = ['bench', 'figure', 'value', 'baseline', 'baseline value', 'ratio', 'target', 'met'];
  const body = rows.map((r) => [
    r.bench,
    r.figure,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline,
    r.baselineValue === null ? '—' : `${fmt(r.baselineValue)} ${r.unit}`,
    r.ratio === null ? '—' : `${fmt(r.ratio)}×`,
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const lines = [head, head.map(() => '---'), ...body.map((cols) => cols.map(cell))].map((cols) => `| ${cols.join(' | ')} |`);
  return lines.join('\n');
}

/** A table cell: a `|` or a line break in a figure's text would break the table. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The notes of a run, one line each, as printed and as the README carries them. */
export function notesOf(rows: Row[]): string[] {
  return rows.filter((r) => r.note).map((r) => `- ${r.bench} / ${r.figure}: ${r.note!.replace(/\n/g, ' ')}`);
}

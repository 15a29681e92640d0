// How seatctl prints: aligned tables for people, JSON for scripts, CSV for files.
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal (progress bars only then) */
  tty: boolean;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  tty: !!process.stderr.isTTY,
};

export type Column<T> = [header: string, cell: (row: T) => unknown];

export function table<T>(rows: readonly T[], columns: Column<T>[]): string {
  const cells = rows.map((r) => columns.map(([, f]) => cellText(f(r))));
  const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map(([h]) => h.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) return v.length ? v.join(',') : '-';
  // Control characters from the server (a hostname, a name) never reach the terminal raw.
  return String(v).replace(/[\u0000-\u001f\u007f]/g, '?');
}

export function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function json(v: unknown): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula get a leading quote. */
export function csv(header: string[], rows: unknown[][]): string {
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** A one-line progress bar on a terminal; nothing otherwise (logs stay clean). */
export function progress(io: Io, label: string): { update(done: number, total: number): void; done(): void } {
  if (!io.tty) return { update() {}, done() {} };
  return {
    update(done, total) {
      const w = 30;
      const f = total ? Math.round((done / total) * w) : w;
      io.err(`\r${label} [${'#'.repeat(f)}${'.'.repeat(w - f)}] ${done}/${total}`);
    },
    done() {
      io.err('\n');
    },
  };
}

// Reports from what the server keeps: usage samples folded into days (peak and average seats in
// use per product, against the seats owned that day), and CSV that spreadsheets read safely.
import type { UsageDayRow } from '../../shared/api/reports.js';
import type { OrgDoc, UsageSample } from './model.js';
import { isContractActive } from './seats.js';

const DAY = 24 * 3600 * 1000;

/** Per UTC day: how many samples, and per product the peak and the sum of seats in use. */
export type UsageDays = Record<string, { samples: number; products: Record<string, { peak: number; sum: number }> }>;

export const dayOf = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** Folds samples into `days` (a product absent from a sample had 0 in use then). */
export function foldUsage(days: UsageDays, samples: readonly UsageSample[]): UsageDays {
  for (const s of samples) {
    const d = (days[dayOf(s.at)] ??= { samples: 0, products: {} });
    d.samples++;
    for (const [code, n] of Object.entries(s.inUse)) {
      const p = (d.products[code] ??= { peak: 0, sum: 0 });
      p.peak = Math.max(p.peak, n);
      p.sum += n;
    }
  }
  return days;
}

/** Seats of `code` on contracts active at some moment of the day starting `dayStart`. */
function ownedOn(doc: OrgDoc, code: string, dayStart: number): number {
  let n = 0;
  for (const c of Object.values(doc.contracts)) {
    if (!isContractActive(c, dayStart) && !isContractActive(c, dayStart + DAY - 1)) continue;
    for (const l of c.lines) if (l.productCode === code) n += l.seats;
  }
  return n;
}

/**
 * One row per day and product, oldest first, for the `days` days ending today (UTC): every product
 * the organization holds a line of, and any other seen in use.
 */
export function usageReport(doc: OrgDoc, folded: UsageDays, now: number, days: number): { from: string; to: string; rows: UsageDayRow[] } {
  const todayStart = Date.parse(`${dayOf(now)}T00:00:00Z`);
  const codes = new Set<string>();
  for (const c of Object.values(doc.contracts)) for (const l of c.lines) codes.add(l.productCode);
  for (const d of Object.values(folded)) for (const code of Object.keys(d.products)) codes.add(code);
  const sorted = [...codes].sort();
  const rows: UsageDayRow[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const start = todayStart - i * DAY;
    const day = dayOf(start);
    const d = folded[day];
    for (const code of sorted) {
      const p = d?.products[code];
      rows.push({
        day,
        productCode: code,
        peak: p?.peak ?? 0,
        avg: d && d.samples > 0 ? Math.round(((p?.sum ?? 0) / d.samples) * 100) / 100 : 0,
        owned: ownedOn(doc, code, start),
        samples: d?.samples ?? 0,
      });
    }
  }
  return { from: dayOf(todayStart - (days - 1) * DAY), to: dayOf(todayStart), rows };
}

/**
 * RFC 4180 CSV. A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets
 * a leading apostrophe: exported names and emails come from users.
 */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const cell = (v: unknown): string => {
    let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (typeof v !== 'number' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

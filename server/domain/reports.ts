// Reports from what the server keeps: usage samples folded into days (peak and average seats in
// use per product, against the seats owned that day), and CSV that spreadsheets read safely.
import type { UsageDayRow } from '../../shared/api/reports.js';
import type { OrgDoc, UsageDay, UsageSample } from './model.js';
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

/** Finished days are kept this many days back from today (today included): what the report can show. */
export const USAGE_DAYS_KEPT = 90;

export const usageDayKey = (day: string, code: string): string => `${day}/${code}`;

const startOf = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/** The products an organization holds a line of. */
function heldCodes(doc: OrgDoc): Set<string> {
  const codes = new Set<string>();
  for (const c of Object.values(doc.contracts)) for (const l of c.lines) codes.add(l.productCode);
  return codes;
}

/**
 * Folds every finished UTC day (before the one `now` is in) that has samples and no folded rows yet
 * into one row per product (held, or seen in use), and drops rows older than `keepDays`. Mutates
 * `doc` (inside a transaction). Idempotent: a day once folded is never folded again, so a second
 * run (or a second node) writes nothing, and the rows are a pure function of the samples.
 * Returns the days folded.
 */
export function rollUpUsage(doc: OrgDoc, now: number, keepDays: number = USAGE_DAYS_KEPT): string[] {
  const todayStart = startOf(dayOf(now));
  const oldestKept = dayOf(todayStart - (keepDays - 1) * DAY);
  const folded = new Set(Object.values(doc.usageDays ?? {}).map((r) => r.day));
  const pending = doc.usage.filter((s) => s.at < todayStart && !folded.has(dayOf(s.at)) && dayOf(s.at) >= oldestKept);
  const days = foldUsage({}, pending);
  const held = heldCodes(doc);
  const out: string[] = [];
  for (const [day, d] of Object.entries(days)) {
    const rows: UsageDay[] = [...new Set([...held, ...Object.keys(d.products)])].map((code) => ({
      day,
      productCode: code,
      peak: d.products[code]?.peak ?? 0,
      sum: d.products[code]?.sum ?? 0,
      samples: d.samples,
      owned: ownedOn(doc, code, startOf(day)),
    }));
    if (rows.length === 0) continue;
    const stored = (doc.usageDays ??= {});
    for (const r of rows) stored[usageDayKey(day, r.productCode)] = r;
    out.push(day);
  }
  for (const [k, r] of Object.entries(doc.usageDays ?? {})) if (r.day < oldestKept) delete doc.usageDays![k];
  return out.sort();
}

/** The folded rows and the samples of days not folded yet, as one `UsageDays` for `usageReport`. */
export function usageHistory(doc: OrgDoc): UsageDays {
  const days: UsageDays = {};
  for (const r of Object.values(doc.usageDays ?? {})) {
    const d = (days[r.day] ??= { samples: r.samples, products: {} });
    d.products[r.productCode] = { peak: r.peak, sum: r.sum };
  }
  return foldUsage(days, doc.usage.filter((s) => !days[dayOf(s.at)]));
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
        owned: doc.usageDays?.[usageDayKey(day, code)]?.owned ?? ownedOn(doc, code, start),
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

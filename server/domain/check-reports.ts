// The idle-seat and denial reports, from the `check` use agents reported (check-usage.ts).
import type { DenialDay, DenialRow, IdleSeatRow } from '../../shared/api/check-reports.js';
import { productName } from './assignments.js';
import { lastUseOf } from './check-usage.js';
import type { Account, OrgDoc } from './model.js';
import { dayOf } from './reports.js';
import { findLine } from './seats.js';

const DAY = 24 * 3600 * 1000;

/** Seats assigned to someone who has not run the product for `days` days (never used: since assigned). */
export function idleSeats(doc: OrgDoc, accounts: Record<string, Account>, now: number, days: number): IdleSeatRow[] {
  const lastUse = lastUseOf(doc);
  const rows: IdleSeatRow[] = [];
  for (const a of Object.values(doc.assignments)) {
    const ref = findLine(doc, a.lineId);
    if (!ref) continue;
    const code = ref.line.productCode;
    const lastUsedAt = lastUse(a.accountId, code);
    const since = Math.max(lastUsedAt ?? 0, a.assignedAt);
    const idleDays = Math.floor((now - since) / DAY);
    if (idleDays < days) continue;
    const acc = accounts[a.accountId];
    rows.push({
      assignmentId: a.id,
      accountId: a.accountId,
      email: acc?.email ?? '',
      name: acc?.name ?? '',
      productCode: code,
      productName: productName(doc, ref),
      contractNumber: ref.contract.number,
      assignedAt: a.assignedAt,
      lastUsedAt,
      idleDays,
    });
  }
  return rows.sort((x, y) => y.idleDays - x.idleDays || x.productCode.localeCompare(y.productCode) || x.email.localeCompare(y.email));
}

/** Whole days `assignmentId`'s seat has been idle (null: no such seat). */
export function idleDaysOf(doc: OrgDoc, assignmentId: string, now: number): number | null {
  const a = doc.assignments[assignmentId];
  const ref = a && findLine(doc, a.lineId);
  if (!a || !ref) return null;
  const last = lastUseOf(doc)(a.accountId, ref.line.productCode);
  return Math.floor((now - Math.max(last ?? 0, a.assignedAt)) / DAY);
}

export interface DenialsView {
  from: string;
  to: string;
  rows: DenialRow[];
  perDay: DenialDay[];
  total: number;
}

/** Refusals of the `days` days ending today (UTC), newest first, and their sums per day and product. */
export function denialsReport(doc: OrgDoc, accounts: Record<string, Account>, now: number, days: number, productCode?: string): DenialsView {
  const todayStart = Date.parse(`${dayOf(now)}T00:00:00Z`);
  const from = dayOf(todayStart - (days - 1) * DAY);
  const to = dayOf(todayStart);
  const rows: DenialRow[] = [];
  const sums = new Map<string, DenialDay>();
  let total = 0;
  for (const d of doc.denials ?? []) {
    if (d.day < from || d.day > to || (productCode && d.productCode !== productCode)) continue;
    total += d.count;
    const k = `${d.day}|${d.productCode}`;
    const s = sums.get(k);
    if (s) s.count += d.count;
    else sums.set(k, { day: d.day, productCode: d.productCode, count: d.count });
    rows.push({
      id: d.id,
      day: d.day,
      deviceId: d.deviceId,
      hostname: doc.devices[d.deviceId]?.hostname ?? d.deviceId,
      accountId: d.accountId,
      email: d.accountId ? (accounts[d.accountId]?.email ?? null) : null,
      user: d.user,
      productCode: d.productCode,
      reason: d.reason,
      count: d.count,
      first: d.first,
      last: d.last,
    });
  }
  rows.sort((a, b) => b.last - a.last);
  const perDay = [...sums.values()].sort((a, b) => a.day.localeCompare(b.day) || a.productCode.localeCompare(b.productCode));
  return { from, to, rows, perDay, total };
}

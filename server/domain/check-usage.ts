// What the agents' counts of `check` mean for the organization: per device and product the latest
// use, refusals kept as records (who, where, product, why, per day), and the day's refusals of a
// product crossing the alert threshold. Pure: the gateway stores what this returns.
import type { UsageCount } from '../../shared/protocol/usage.js';
import type { DenialRecord, OrgDoc } from './model.js';
import { dayOf } from './reports.js';

const DAY = 24 * 3600 * 1000;

export interface CheckUseLimits {
  /** refusal records kept per organization, oldest dropped first (default 20 000) */
  maxDenialRecords: number;
  /** days refusal records are kept (default 90) */
  retentionDays: number;
  /** refused checks of one product in a UTC day that fire the alert, unless the org set its own (default 20) */
  denialAlertThreshold: number;
}

export const DEFAULT_CHECK_USE_LIMITS: CheckUseLimits = { maxDenialRecords: 20_000, retentionDays: 90, denialAlertThreshold: 20 };

/** Batch ids remembered per device: far more than an agent has in flight. */
const BATCHES_KEPT = 64;
/** A device clock this far ahead of the server's is not believed; its times are clamped to now. */
const AHEAD_MS = 5 * 60 * 1000;
/** Refusal records searched for one to add to (the latest): a device reports in order. */
const MERGE_WINDOW = 2_000;

export interface DenialAlert {
  day: string;
  productCode: string;
  count: number;
  threshold: number;
}

export interface ReportInput {
  deviceId: string;
  batchId: string;
  counts: readonly UsageCount[];
  /** product code → the account whose seat the device holds for it (null: serial or none) */
  holderOf: (productCode: string) => string | null;
  now: number;
  newId: () => string;
  limits: CheckUseLimits;
}

/** True when the device already sent this batch (nothing to do but acknowledge it again). */
export function seenBatch(doc: OrgDoc, deviceId: string, batchId: string): boolean {
  return doc.usageBatches?.[deviceId]?.includes(batchId) ?? false;
}

/** Applies one usage report to `doc` (inside a transaction); returns the alerts it set off. */
export function applyUsageReport(doc: OrgDoc, r: ReportInput): DenialAlert[] {
  const device = doc.devices[r.deviceId];
  if (!device || seenBatch(doc, r.deviceId, r.batchId)) return [];
  const batches = (doc.usageBatches ??= {});
  batches[r.deviceId] = [...(batches[r.deviceId] ?? []), r.batchId].slice(-BATCHES_KEPT);
  const oldest = r.now - r.limits.retentionDays * DAY;
  const use = ((doc.checkUse ??= {})[r.deviceId] ??= {});
  const denials = (doc.denials ??= []);
  const touched = new Set<string>();
  for (const c of r.counts) {
    const last = Math.min(c.last, r.now);
    const first = Math.min(c.first, last);
    if (last < oldest) continue;
    const u = (use[c.productCode] ??= { lastUsedAt: null, accountId: null, lastCheckAt: 0, allowed: 0, refused: 0 });
    u.lastCheckAt = Math.max(u.lastCheckAt, last);
    if (c.outcome === 'ok') {
      u.allowed += c.count;
      if (u.lastUsedAt === null || last >= u.lastUsedAt) {
        u.lastUsedAt = last;
        u.accountId = r.holderOf(c.productCode);
      }
      continue;
    }
    u.refused += c.count;
    const day = dayOf(last);
    touched.add(`${day}|${c.productCode}`);
    const same = findRecord(denials, r.deviceId, c.productCode, c.outcome, c.user, day);
    if (same) {
      same.count += c.count;
      same.first = Math.min(same.first, first);
      same.last = Math.max(same.last, last);
      same.accountId = device.signedInAccountId;
    } else {
      denials.push({ id: r.newId(), day, deviceId: r.deviceId, accountId: device.signedInAccountId, user: c.user, productCode: c.productCode, reason: c.outcome, count: c.count, first, last });
    }
  }
  pruneDenials(doc, r.now, r.limits);
  return alertsFor(doc, touched, r.now, doc.org.settings.denialAlertThreshold ?? r.limits.denialAlertThreshold);
}

function findRecord(denials: DenialRecord[], deviceId: string, productCode: string, reason: string, user: string | null, day: string): DenialRecord | undefined {
  for (let i = denials.length - 1; i >= Math.max(0, denials.length - MERGE_WINDOW); i--) {
    const d = denials[i]!;
    if (d.deviceId === deviceId && d.productCode === productCode && d.reason === reason && d.user === user && d.day === day) return d;
  }
  return undefined;
}

/** Keeps the newest records within the retention (the array stays in arrival order). */
export function pruneDenials(doc: OrgDoc, now: number, limits: CheckUseLimits): void {
  if (!doc.denials) return;
  const oldest = now - limits.retentionDays * DAY;
  // Runs on every report: no copy of the (up to maxDenialRecords) array unless something goes.
  if (doc.denials.length <= limits.maxDenialRecords && doc.denials.every((d) => d.last >= oldest)) return;
  let kept = doc.denials.filter((d) => d.last >= oldest);
  if (kept.length > limits.maxDenialRecords) kept = kept.slice(-limits.maxDenialRecords);
  if (kept.length !== doc.denials.length) doc.denials = kept;
}

/** Refusals of `productCode` on `day`, across the organization. */
export function refusalsOn(doc: OrgDoc, day: string, productCode: string): number {
  let n = 0;
  for (const d of doc.denials ?? []) if (d.day === day && d.productCode === productCode) n += d.count;
  return n;
}

/** The alerts a report set off: a product's refusals today at or past the threshold, once a day. */
function alertsFor(doc: OrgDoc, touched: Set<string>, now: number, threshold: number): DenialAlert[] {
  const today = dayOf(now);
  const fired = (doc.denialAlerts ??= {});
  // Only today's and yesterday's keys matter; older ones go.
  const yesterday = dayOf(now - DAY);
  for (const k of Object.keys(fired)) if (!k.startsWith(today) && !k.startsWith(yesterday)) delete fired[k];
  const out: DenialAlert[] = [];
  for (const key of touched) {
    const [day, productCode] = key.split('|') as [string, string];
    if (day !== today || fired[key] !== undefined) continue;
    const count = refusalsOn(doc, day, productCode);
    if (count < threshold) continue;
    fired[key] = now;
    out.push({ day, productCode, count, threshold });
  }
  return out;
}

/** When `accountId` last ran `productCode` anywhere in the organization (null: never reported). */
export function lastUseOf(doc: OrgDoc): (accountId: string, productCode: string) => number | null {
  const latest = new Map<string, number>();
  for (const products of Object.values(doc.checkUse ?? {})) {
    for (const [code, u] of Object.entries(products)) {
      if (u.accountId === null || u.lastUsedAt === null) continue;
      const k = `${u.accountId}|${code}`;
      if ((latest.get(k) ?? -1) < u.lastUsedAt) latest.set(k, u.lastUsedAt);
    }
  }
  return (accountId, productCode) => latest.get(`${accountId}|${productCode}`) ?? null;
}

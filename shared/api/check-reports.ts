// Reports built from the `check` answers agents count and report: idle seats (assigned, not used
// for N days) with the reclaim action, and refused checks (who, where, product, why; per day).
import { z } from 'zod';
import { ProductCode } from './common.js';

const Format = z.enum(['json', 'csv']).default('json');

export const IdleSeatsQuery = z.strictObject({
  /** a seat not used for this many days is idle (default 30; 0 lists every seat with its last use) */
  days: z.coerce.number().int().min(0).max(365).default(30),
  format: Format,
});
export type IdleSeatsQuery = z.infer<typeof IdleSeatsQuery>;

export const IdleSeatRow = z.object({
  assignmentId: z.string(),
  accountId: z.string(),
  email: z.string(),
  name: z.string(),
  productCode: z.string(),
  productName: z.string(),
  contractNumber: z.string(),
  assignedAt: z.number(),
  /** the holder's latest allowed `check` of the product on any workstation; null: never reported */
  lastUsedAt: z.number().nullable(),
  /** whole days since the last use (or since the seat was assigned, when never used) */
  idleDays: z.number(),
});
export type IdleSeatRow = z.infer<typeof IdleSeatRow>;

export const IdleSeatsReport = z.object({ days: z.number(), asOf: z.number(), rows: z.array(IdleSeatRow) });
export type IdleSeatsReport = z.infer<typeof IdleSeatsReport>;

export const ReclaimBody = z.strictObject({
  /** refuse unless the seat is still idle for this many days (default 0: reclaim as asked) */
  idleDays: z.number().int().min(0).max(365).optional(),
});
export type ReclaimBody = z.infer<typeof ReclaimBody>;

export const ReclaimResult = z.object({ ok: z.literal(true), assignmentId: z.string(), accountId: z.string(), productCode: z.string(), idleDays: z.number() });
export type ReclaimResult = z.infer<typeof ReclaimResult>;

export const DenialsQuery = z.strictObject({
  /** days back from today (UTC), today included (default 30, at most 90) */
  days: z.coerce.number().int().min(1).max(90).default(30),
  productCode: ProductCode.optional(),
  format: Format,
});
export type DenialsQuery = z.infer<typeof DenialsQuery>;

export const DenialRow = z.object({
  id: z.string(),
  day: z.string(),
  deviceId: z.string(),
  hostname: z.string(),
  accountId: z.string().nullable(),
  email: z.string().nullable(),
  /** the local user the workstation named (a label, not an identity) */
  user: z.string().nullable(),
  productCode: z.string(),
  reason: z.string(),
  count: z.number(),
  first: z.number(),
  last: z.number(),
});
export type DenialRow = z.infer<typeof DenialRow>;

export const DenialDay = z.object({ day: z.string(), productCode: z.string(), count: z.number() });
export type DenialDay = z.infer<typeof DenialDay>;

export const DenialsReport = z.object({
  from: z.string(),
  to: z.string(),
  /** refusals of a product in a day that alert `denials.above-threshold` webhooks */
  threshold: z.number(),
  /** newest first, at most 1 000 (the CSV has them all) */
  rows: z.array(DenialRow),
  /** per day and product, oldest day first; days without refusals left out */
  perDay: z.array(DenialDay),
  total: z.number(),
});
export type DenialsReport = z.infer<typeof DenialsReport>;

export const DenialThresholdBody = z.strictObject({ threshold: z.number().int().min(1).max(1_000_000) });
export type DenialThresholdBody = z.infer<typeof DenialThresholdBody>;

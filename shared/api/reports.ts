// Reports: seats in use per product per day (peak and average against seats owned), and the
// audit log as CSV. JSON for programs, CSV for spreadsheets (`format=csv`).
import { z } from 'zod';
import { Timestamp } from './contracts.js';

const QueryTime = z.union([z.coerce.number().int().min(0).max(8.64e15), Timestamp]);
const Format = z.enum(['json', 'csv']).default('json');

export const UsageReportQuery = z.strictObject({
  /** days back from today (UTC), today included; at most 90 */
  days: z.coerce.number().int().min(1).max(90).default(90),
  format: Format,
});
export type UsageReportQuery = z.infer<typeof UsageReportQuery>;

export const UsageDayRow = z.object({
  /** YYYY-MM-DD, UTC */
  day: z.string(),
  productCode: z.string(),
  /** most seats in use at one sample that day */
  peak: z.number(),
  /** mean seats in use over that day's samples (two decimals) */
  avg: z.number(),
  /** seats of the product on contracts active that day */
  owned: z.number(),
  /** samples the day had (0: no data, e.g. the server was down) */
  samples: z.number(),
});
export type UsageDayRow = z.infer<typeof UsageDayRow>;

export const UsageReport = z.object({ from: z.string(), to: z.string(), rows: z.array(UsageDayRow) });
export type UsageReport = z.infer<typeof UsageReport>;

export const AuditExportQuery = z.strictObject({
  from: QueryTime.optional(),
  to: QueryTime.optional(),
  action: z.string().min(1).max(80).optional(),
});
export type AuditExportQuery = z.infer<typeof AuditExportQuery>;

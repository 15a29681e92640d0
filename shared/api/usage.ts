// Seat utilization over time: the samples a server job records (seats in use per product, devices
// online), for the dashboard's chart.
import { z } from 'zod';

export const UsageQuery = z.strictObject({
  /** how far back, in hours (default 24, at most 31 days) */
  hours: z.coerce.number().int().min(1).max(744).default(24),
});
export type UsageQuery = z.infer<typeof UsageQuery>;

export const UsageSampleView = z.object({
  at: z.number(),
  /** product code → seats in use */
  inUse: z.record(z.string(), z.number()),
  devicesOnline: z.number(),
});
export type UsageSampleView = z.infer<typeof UsageSampleView>;

export const UsageReply = z.object({ from: z.number(), to: z.number(), samples: z.array(UsageSampleView) });
export type UsageReply = z.infer<typeof UsageReply>;

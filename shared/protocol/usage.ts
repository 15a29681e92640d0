// agent → server: the `check` answers the agent counted since its last report (per product, outcome
// and local user), and the server's receipt. Batches carry an id: a batch sent again after a lost
// receipt is counted once.
import { z } from 'zod';
import { CHECK_OUTCOMES } from './check-outcomes.js';
import { FrameVersion, MessageId, ProductCode } from './common.js';

export const CheckOutcome = z.enum(CHECK_OUTCOMES);
export type { CheckOutcome as CheckOutcomeName } from './check-outcomes.js';

/** Most count rows in one report: a busy workstation's day of checks fits in a few frames. */
export const MAX_USAGE_ROWS = 200;
/** Most checks one row may count (a loop calling `check` is capped, not trusted). */
export const MAX_USAGE_COUNT = 1_000_000;

/** Local user names as the agent saw them: a label, not an identity (any user may run check). */
export const LocalUser = z.string().min(1).max(64).regex(/^[A-Za-z0-9._@ $-]+$/);

export const UsageCount = z
  .strictObject({
    productCode: ProductCode,
    outcome: CheckOutcome,
    /** the local user who ran the checks, when the agent knew one */
    user: LocalUser.nullable(),
    count: z.number().int().min(1).max(MAX_USAGE_COUNT),
    /** first and last check counted, epoch ms */
    first: z.number().int().nonnegative(),
    last: z.number().int().nonnegative(),
  })
  .refine((c) => c.first <= c.last, 'first after last');
export type UsageCount = z.infer<typeof UsageCount>;

export const UsageReport = z.strictObject({
  v: FrameVersion,
  type: z.literal('usage.report'),
  /** the batch's id; the receipt names it */
  id: MessageId,
  counts: z.array(UsageCount).min(1).max(MAX_USAGE_ROWS),
});
export type UsageReport = z.infer<typeof UsageReport>;

/** server → agent: the batch `ref` is stored (or was already); the agent may forget it. */
export const UsageAck = z.strictObject({
  v: FrameVersion,
  type: z.literal('usage.ack'),
  ref: MessageId,
});
export type UsageAck = z.infer<typeof UsageAck>;

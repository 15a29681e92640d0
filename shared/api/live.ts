// The admin live socket (`/api/v1/live?orgId=…`): server → browser messages only. On connect the
// server sends a snapshot (seat summary and the recent feed), then feed items as they happen and a
// fresh summary whenever seats, leases or devices change.
import { z } from 'zod';
import { SeatSummary } from './assignments.js';
import { Id } from './common.js';

export const LIVE_PATH = '/api/v1/live';

export const FeedKind = z.enum(['grant', 'revoke', 'sign-in', 'sign-in-failed', 'method-switch', 'assignment', 'member', 'device', 'denials']);
export type FeedKind = z.infer<typeof FeedKind>;

export const FeedItemView = z.object({
  at: z.number(),
  kind: FeedKind,
  text: z.string(),
  productCode: z.string().optional(),
  accountId: z.string().optional(),
  deviceId: z.string().optional(),
});
export type FeedItemView = z.infer<typeof FeedItemView>;

/** The seat summary of GET /orgs/:orgId/seats, with devices online now and when it was computed. */
export const LiveSummaryView = z.object({
  at: z.number(),
  seats: SeatSummary,
  devices: z.object({ online: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
});
export type LiveSummaryView = z.infer<typeof LiveSummaryView>;

export const LiveSnapshot = z.object({ type: z.literal('snapshot'), orgId: Id, summary: LiveSummaryView, feed: z.array(FeedItemView) });
export const LiveFeed = z.object({ type: z.literal('feed'), item: FeedItemView });
export const LiveSummary = z.object({ type: z.literal('summary'), summary: LiveSummaryView });

export const LiveMessage = z.discriminatedUnion('type', [LiveSnapshot, LiveFeed, LiveSummary]);
export type LiveMessage = z.infer<typeof LiveMessage>;

/** Close codes the live socket uses besides the standard ones. */
export const LIVE_CLOSE = {
  /** the caller is no longer an administrator of the organization (or signed out) */
  ACCESS_ENDED: 4403,
} as const;

// server → agent after a valid `hello`: the server's clock and the settings the agent runs with.
import { z } from 'zod';
import { EntityId, FrameVersion, MessageId } from './common.js';

/** Settings the server hands every agent (also in the enrollment reply). */
export const AgentSettings = z.strictObject({
  /** how often the server pings; two missed intervals mark the device offline */
  heartbeatSeconds: z.number().int().min(5).max(3600),
  /** lease lifetime; the agent renews at half-life */
  leaseTtlSeconds: z.number().int().min(60).max(90 * 24 * 3600),
  /** node-cron expression for inventory rescans (5 or 6 fields) */
  inventoryCron: z.string().min(9).max(100),
});
export type AgentSettings = z.infer<typeof AgentSettings>;

export const Welcome = z.strictObject({
  v: FrameVersion,
  type: z.literal('welcome'),
  id: MessageId.optional(),
  /** server time, epoch milliseconds */
  serverTime: z.number().int().nonnegative(),
  deviceId: EntityId,
  settings: AgentSettings,
});
export type Welcome = z.infer<typeof Welcome>;

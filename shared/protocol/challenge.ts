// server → agent, first frame after the upgrade: a fresh nonce the agent must sign in `hello`.
import { z } from 'zod';
import { FrameVersion, MessageId } from './common.js';

export const Challenge = z.strictObject({
  v: FrameVersion,
  type: z.literal('challenge'),
  id: MessageId.optional(),
  /** base64url random bytes (≥ 16 bytes of entropy) */
  nonce: z.string().min(22).max(128).regex(/^[A-Za-z0-9_-]+$/),
});
export type Challenge = z.infer<typeof Challenge>;

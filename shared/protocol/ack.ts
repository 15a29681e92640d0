// agent → server: "I applied the push with this id". Unacked pushes are resent on reconnect.
import { z } from 'zod';
import { FrameVersion, MessageId } from './common.js';

export const Ack = z.strictObject({
  v: FrameVersion,
  type: z.literal('ack'),
  /** the id of the push being acknowledged */
  id: MessageId,
});
export type Ack = z.infer<typeof Ack>;

// server → agent after `welcome` (and whenever a full resync is simpler than single pushes):
// everything the device should hold and everything it must drop. Applying it twice is harmless.
import { z } from 'zod';
import { AccountRef, FrameVersion, LeaseToken, MessageId } from './common.js';
import { Revocation } from './lease.js';

export const Reconcile = z.strictObject({
  v: FrameVersion,
  type: z.literal('reconcile'),
  id: MessageId,
  /** lease tokens the device should hold (new, renewed, or already held) */
  grant: z.array(LeaseToken).max(256),
  /** leases the device must drop, with why */
  revoke: z.array(Revocation).max(256),
  /** who is signed in on this device per the server; null when nobody is */
  signedInAccount: AccountRef.nullable(),
});
export type Reconcile = z.infer<typeof Reconcile>;

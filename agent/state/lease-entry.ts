// What a lease file holds, as zod schemas: a held lease, or a tombstone naming the lease that was
// revoked and why. lease-store.ts writes and reads them; the lean check path (lease-file.ts)
// takes only the types, so it loads no zod.
import { z } from 'zod';
import { EntityId, LeaseToken } from '../../shared/protocol/common.js';
import { RevokeReason } from '../../shared/protocol/lease.js';

export const HeldLease = z.strictObject({
  token: LeaseToken,
  /** epoch ms when stored */
  storedAt: z.number().int(),
});
export type HeldLease = z.infer<typeof HeldLease>;

export const Tombstone = z.strictObject({
  revoked: z.strictObject({
    jti: EntityId,
    reason: RevokeReason,
    /** epoch ms when the revocation was applied */
    at: z.number().int(),
  }),
});
export type Tombstone = z.infer<typeof Tombstone>;

// Lease pushes and requests. Grants carry the signed token (the agent verifies it with the key
// pinned at enrollment before storing); revocations name the jti and why, so `check` can say why.
import { z } from 'zod';
import { EntityId, FrameVersion, LeaseToken, MessageId, ProductCode } from './common.js';
import { REVOKE_REASONS } from './revoke-reasons.js';

/** Why a lease went; the store's type is this one (server/domain/model.ts). */
export const RevokeReason = z.enum(REVOKE_REASONS);
export type RevokeReason = z.infer<typeof RevokeReason>;

export const Revocation = z.strictObject({
  jti: EntityId,
  productCode: ProductCode,
  reason: RevokeReason,
});
export type Revocation = z.infer<typeof Revocation>;

/** server → agent push */
export const LeaseGrant = z.strictObject({
  v: FrameVersion,
  type: z.literal('lease.grant'),
  id: MessageId,
  token: LeaseToken,
});
export type LeaseGrant = z.infer<typeof LeaseGrant>;

/** server → agent push */
export const LeaseRevoke = z.strictObject({
  v: FrameVersion,
  type: z.literal('lease.revoke'),
  id: MessageId,
  jti: EntityId,
  productCode: ProductCode,
  reason: RevokeReason,
});
export type LeaseRevoke = z.infer<typeof LeaseRevoke>;

/** agent → server: renew (at half-life) or ask for a lease for a product; answered by lease.grant or error */
export const LeaseRequest = z.strictObject({
  v: FrameVersion,
  type: z.literal('lease.request'),
  id: MessageId.optional(),
  productCode: ProductCode,
});
export type LeaseRequest = z.infer<typeof LeaseRequest>;

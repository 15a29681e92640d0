// server → agent (protocol 4): the lease keys the agent should accept, sent after welcome and
// whenever the set changes (a key rotated in, one retired). Each key of the set signs it; the
// agent takes it only when a key it already trusts is among the signers.
import { z } from 'zod';
import { FrameVersion } from './common.js';

const B64URL = /^[A-Za-z0-9_-]+$/;

export const PublishedLeaseKey = z.strictObject({
  /** RFC 7638 thumbprint of the key (shared/lease-key-id.ts) */
  kid: z.string().length(43).regex(B64URL),
  x: z.string().length(43).regex(B64URL),
  /** epoch ms after which leases it signed stop being valid; null for the signing key */
  retiresAt: z.number().int().nonnegative().nullable(),
});

export const LeaseKeySignature = z.strictObject({
  kid: z.string().length(43).regex(B64URL),
  /** base64url Ed25519 signature over leaseKeySetSigningInput(keys) */
  sig: z.string().length(86).regex(B64URL),
});

export const LeaseKeys = z.strictObject({
  v: FrameVersion,
  type: z.literal('lease.keys'),
  keys: z.array(PublishedLeaseKey).min(1).max(8),
  signatures: z.array(LeaseKeySignature).min(1).max(8),
});
export type LeaseKeys = z.infer<typeof LeaseKeys>;

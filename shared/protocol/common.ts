// Building blocks every message family shares: the frame envelope and bounded identifiers.
// Every bound here is a guard against a hostile or broken peer, not a business rule.
import { z } from 'zod';

/** Every frame carries `v: 1`; a frame of another version is invalid, not reinterpreted. */
export const FrameVersion = z.literal(1);

/** Ids of pushes and requests (acked by id). Opaque to the receiver. */
export const MessageId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/);

/**
 * Names every plain object answers to (`__proto__`, `constructor`, `toString`…). Records are keyed
 * by id, so such an "id" would reach Object.prototype through a lookup (and a write through it would
 * change every object in the process): no id is ever one of these.
 */
export const isObjectMemberName = (s: string): boolean => s in Object.prototype;

/** Server-side entity ids (devices, organizations, accounts, contract lines, lease jtis). */
export const EntityId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/)
  .refine((s) => !isObjectMemberName(s), 'not an id');
export type EntityId = z.infer<typeof EntityId>;

/** Product codes as in the catalog: `SW-PREMIUM`, `ACAD`, `BIM-COLLAB`. */
export const ProductCode = z.string().min(1).max(32).regex(/^[A-Z0-9][A-Z0-9_-]*$/);
export type ProductCode = z.infer<typeof ProductCode>;

export const ActivationMethod = z.enum(['serial', 'named-user']);
export type ActivationMethod = z.infer<typeof ActivationMethod>;

/** A desktop product is installed and detected; a service is a subscription with nothing installed. */
export const ProductKind = z.enum(['desktop', 'service']);
export type ProductKind = z.infer<typeof ProductKind>;

/** A compact JWS lease (header.payload.signature, base64url); see shared/lease.ts. */
export const LeaseToken = z.string().min(16).max(4096).regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/);
export type LeaseToken = z.infer<typeof LeaseToken>;

/** The signed-in person as the agent shows them. */
export const AccountRef = z.strictObject({
  id: EntityId,
  email: z.string().min(3).max(254),
  name: z.string().max(200),
});
export type AccountRef = z.infer<typeof AccountRef>;

/** Operating system as reported by systeminformation `osInfo()`. */
export const DeviceOs = z.strictObject({
  platform: z.string().max(64),
  distro: z.string().max(128),
  release: z.string().max(128),
  arch: z.string().max(32),
});
export type DeviceOs = z.infer<typeof DeviceOs>;

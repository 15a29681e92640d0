// Devices as the admin API shows them.
import { z } from 'zod';
import { AccountRef, ActivationMethod, DeviceOs } from '../protocol/common.js';
import { InventoryItem } from '../protocol/inventory.js';

export const DeviceLeaseView = z.object({
  jti: z.string(),
  productCode: z.string(),
  lineId: z.string(),
  method: ActivationMethod,
  /** account id, or "serial:<number>" */
  subject: z.string(),
  issuedAt: z.number(),
  expiresAt: z.number(),
});
export type DeviceLeaseView = z.infer<typeof DeviceLeaseView>;

export const DeviceView = z.object({
  id: z.string(),
  hostname: z.string(),
  os: DeviceOs,
  agentVersion: z.string(),
  enrolledAt: z.number(),
  /** epoch ms of the last sign of life (live when online), null if never connected */
  lastSeenAt: z.number().nullable(),
  online: z.boolean(),
  revokedAt: z.number().nullable(),
  signedInAccount: AccountRef.nullable(),
  inventory: z.array(InventoryItem),
  /** active, unexpired leases */
  leases: z.array(DeviceLeaseView),
});
export type DeviceView = z.infer<typeof DeviceView>;

export const DeviceList = z.object({ devices: z.array(DeviceView) });
export type DeviceList = z.infer<typeof DeviceList>;

export const RescanReply = z.object({ ok: z.literal(true), online: z.boolean() });
export type RescanReply = z.infer<typeof RescanReply>;

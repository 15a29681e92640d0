// What is installed on the device. The agent sends it at start, on a schedule and when asked;
// the hash lets `hello` say "unchanged" without resending the list.
import { z } from 'zod';
import { DeviceOs, FrameVersion, MessageId, ProductCode } from './common.js';

export const InventoryItem = z.strictObject({
  productCode: ProductCode,
  version: z.string().max(64).nullable(),
  /** install location as detected (a path, or a registry key on Windows) */
  path: z.string().min(1).max(1024),
  /** serial number the product was activated with, if recorded */
  serial: z.string().max(128).nullable(),
});
export type InventoryItem = z.infer<typeof InventoryItem>;

/** agent → server */
export const Inventory = z.strictObject({
  v: FrameVersion,
  type: z.literal('inventory'),
  id: MessageId.optional(),
  items: z.array(InventoryItem).max(500),
  /** inventoryHash(items), see inventory-hash.ts */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  os: DeviceOs.optional(),
});
export type Inventory = z.infer<typeof Inventory>;

/** server → agent push: rescan now and send `inventory` */
export const InventoryRequest = z.strictObject({
  v: FrameVersion,
  type: z.literal('inventory.request'),
  id: MessageId,
});
export type InventoryRequest = z.infer<typeof InventoryRequest>;

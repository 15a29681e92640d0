// The inventory the agent reports: detection results plus their hash, computed one way everywhere.
import type { InventoryItem } from '../../shared/protocol/inventory.js';
import { inventoryHash } from '../../shared/protocol/inventory-hash.js';

export interface InventorySnapshot {
  items: InventoryItem[];
  hash: string;
}

export async function takeInventory(scan: () => Promise<InventoryItem[]>): Promise<InventorySnapshot> {
  // The wire bound is 500 items; a machine with more detected installs than that is misconfigured.
  const items = (await scan()).slice(0, 500);
  return { items, hash: inventoryHash(items) };
}

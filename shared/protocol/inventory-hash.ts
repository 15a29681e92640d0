// The inventory hash both sides compute the same way: sha256 over the items sorted by product
// code then path, each with its keys in a fixed order. Kept apart from messages.ts because it
// needs node:crypto and the schemas must stay importable anywhere.
import { createHash } from 'node:crypto';
import type { InventoryItem } from './inventory.js';

export function inventoryHash(items: readonly InventoryItem[]): string {
  const canonical = [...items]
    .map((i) => [i.productCode, i.path, i.version, i.serial] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

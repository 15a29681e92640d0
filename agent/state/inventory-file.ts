// inventory.json: what the daemon last detected, so `status` (another process, maybe another
// user) can name installed products that hold no lease without scanning the machine itself.
import { z } from 'zod';
import { InventoryItem } from '../../shared/protocol/inventory.js';
import { readValid, writeJsonAtomic } from './atomic-write.js';
import { PUBLIC_FILE_MODE } from './modes.js';
import type { StatePaths } from './paths.js';

export const InventoryFile = z.object({
  items: z.array(InventoryItem).max(500),
  hash: z.string(),
  /** epoch ms of the scan */
  scannedAt: z.number().int(),
});
export type InventoryFile = z.infer<typeof InventoryFile>;

/** null when the daemon has not scanned yet (or the file is unreadable: status then shows leases only). */
export async function readInventoryFile(paths: StatePaths): Promise<InventoryFile | null> {
  return readValid(paths.inventory, InventoryFile);
}

export async function writeInventoryFile(paths: StatePaths, inv: InventoryFile): Promise<void> {
  await writeJsonAtomic(paths.inventory, InventoryFile.parse(inv), { mode: PUBLIC_FILE_MODE });
}

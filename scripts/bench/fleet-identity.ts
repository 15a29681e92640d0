// The simulated fleet's identities, derived from the device index so the server helper (which
// writes the devices into the store) and the swarms (which sign hellos) agree without sending
// 20k keys across processes: an Ed25519 seed per index, device and account ids, the inventory.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { inventoryHash } from '../../shared/protocol/inventory-hash.js';
import type { InventoryItem } from '../../shared/protocol/inventory.js';

export const BENCH_PRODUCT = 'SW-PREMIUM';

export const deviceIdOf = (i: number) => `dev_b${i}`;
export const accountIdOf = (i: number) => `acc_b${i}`;
export const assignmentIdOf = (i: number) => `asg_b${i}`;

// PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

export function benchDeviceKey(i: number): { privateKey: KeyObject; publicKeyX: string } {
  const seed = createHash('sha256').update(`seatkeeper-bench-device-${i}`).digest();
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const publicKeyX = createPublicKey(privateKey).export({ format: 'jwk' }).x as string;
  return { privateKey, publicKeyX };
}

/** What every simulated workstation has installed (SOLIDWORKS, so a named-user seat applies). */
export const BENCH_INVENTORY: InventoryItem[] = [{ productCode: BENCH_PRODUCT, version: '2025', path: '/opt/dassault/solidworks-premium/2025', serial: null }];
export const BENCH_INVENTORY_HASH = inventoryHash(BENCH_INVENTORY);

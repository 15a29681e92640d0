// agent → server, the answer to `challenge`: who the device is, proved with its Ed25519 key,
// and what it already holds so the server can reconcile without resending everything.
import { z } from 'zod';
import { EntityId, FrameVersion, MessageId } from './common.js';

export const Hello = z.strictObject({
  v: FrameVersion,
  type: z.literal('hello'),
  id: MessageId.optional(),
  /** PROTOCOL_VERSION the agent speaks */
  protocol: z.number().int().min(1).max(1000),
  deviceId: EntityId,
  agentVersion: z.string().min(1).max(64),
  /** base64url Ed25519 signature over helloSigningInput(nonce, deviceId); 64 bytes → 86 chars */
  signature: z.string().length(86).regex(/^[A-Za-z0-9_-]+$/),
  /** jtis of the leases the agent holds and considers valid */
  leases: z.array(EntityId).max(256),
  /** sha256 hex of the last inventory sent (see inventory-hash.ts), null before the first scan */
  inventoryHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
});
export type Hello = z.infer<typeof Hello>;

/**
 * The exact bytes the device signs. Binding the device id stops a signature from being replayed
 * for another device; the prefix stops it from being mistaken for any other signature.
 */
export function helloSigningInput(nonce: string, deviceId: string): string {
  return `seatkeeper-hello:${nonce}:${deviceId}`;
}

// Identifiers and secrets. Ids are prefixed so a log line says what they name; secrets are
// random, shown once, and stored only as their SHA-256.
import { createHash, randomBytes, randomFillSync } from 'node:crypto';

export type IdSource = (prefix: string) => string;

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let used = POOL_BYTES;

/**
 * `n` bytes (at most 256) from the operating system's CSPRNG as base64url, each byte handed out
 * once. Drawn from a pool filled 4 KiB at a time: a fleet connecting or an org-wide push takes an
 * id or a nonce per device, and each small randomBytes call costs a system call.
 */
export function randomText(n: number): string {
  if (used + n > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const text = pool.toString('base64url', used, used + n);
  used += n;
  return text;
}

export const randomId: IdSource = (prefix) => `${prefix}_${randomText(10)}`;

export const newSecret = (prefix: string): string => `${prefix}_${randomBytes(24).toString('base64url')}`;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

// lease-keys.json: the lease keys the server last published (protocol 4), as the agent took them.
// Read without zod by `check`; when present it decides which keys verify a lease, the pinned key
// of config.json included (a retired key leaves the set). Public: leases are signed, not secret.
import path from 'node:path';
import type { PublishedLeaseKey } from '../../shared/lease-key-id.js';
import { isPermissionError, StateAccessError } from './access-error.js';
import { readJsonSync, writeJsonAtomic } from './atomic-write.js';
import { PUBLIC_FILE_MODE } from './modes.js';
import type { StatePaths } from './paths.js';
import { hasExactKeys, isInt, isPlainObject } from './shapes.js';

const B64URL43 = /^[A-Za-z0-9_-]{43}$/;

export interface LeaseKeysFile {
  keys: PublishedLeaseKey[];
  /** epoch ms when the agent took the set */
  storedAt: number;
}

export const leaseKeysPath = (paths: StatePaths): string => path.join(paths.dir, 'lease-keys.json');

function isPublishedKey(v: unknown): v is PublishedLeaseKey {
  return (
    isPlainObject(v) &&
    hasExactKeys(v, ['kid', 'x', 'retiresAt']) &&
    typeof v.kid === 'string' &&
    B64URL43.test(v.kid) &&
    typeof v.x === 'string' &&
    B64URL43.test(v.x) &&
    (v.retiresAt === null || (isInt(v.retiresAt) && v.retiresAt >= 0))
  );
}

/** null when there is none; a file that is not a key set reads as an empty set (nothing verifies). */
export function readLeaseKeysSync(paths: StatePaths): LeaseKeysFile | null {
  let raw: unknown;
  try {
    raw = readJsonSync(leaseKeysPath(paths));
  } catch (e) {
    // Unreadable for lack of permission says nothing about the keys (see leaseReadFailure).
    if (isPermissionError(e)) throw new StateAccessError(leaseKeysPath(paths), e.code!);
    return { keys: [], storedAt: 0 };
  }
  if (raw === null) return null;
  if (!isPlainObject(raw) || !hasExactKeys(raw, ['keys', 'storedAt']) || !Array.isArray(raw.keys) || raw.keys.length > 8 || !isInt(raw.storedAt) || !raw.keys.every(isPublishedKey)) {
    return { keys: [], storedAt: 0 };
  }
  return { keys: raw.keys as PublishedLeaseKey[], storedAt: raw.storedAt };
}

export async function writeLeaseKeys(paths: StatePaths, keys: PublishedLeaseKey[], now: number): Promise<void> {
  await writeJsonAtomic(leaseKeysPath(paths), { keys, storedAt: now } satisfies LeaseKeysFile, { mode: PUBLIC_FILE_MODE });
}

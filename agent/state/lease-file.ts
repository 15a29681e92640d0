// Reading leases/<PRODUCT>.json without zod (for `check`; lease-store.ts writes the files): what
// the file holds, as far as it can be read.
import type { HeldLease, Tombstone } from './lease-entry.js';
import { isPermissionError, StateAccessError } from './access-error.js';
import { readJsonSync } from './atomic-write.js';
import type { StatePaths } from './paths.js';
import { hasExactKeys, isEntityId, isInt, isLeaseToken, isPlainObject, isProductCode, REVOKE_REASONS } from './shapes.js';

/** What a lease file holds, as far as it can be read. `corrupt`: present but not a lease entry. */
export type LeaseFile = { kind: 'none' } | { kind: 'corrupt' } | { kind: 'held'; lease: HeldLease } | ({ kind: 'revoked' } & Tombstone);

/** readLeaseFile without the thread pool (for `check`). Throws StateAccessError like readLeaseFile. */
export function readLeaseFileSync(paths: StatePaths, productCode: string): LeaseFile {
  if (!isProductCode(productCode)) return { kind: 'none' };
  const file = paths.lease(productCode);
  let raw: unknown;
  try {
    raw = readJsonSync(file);
  } catch (e) {
    return leaseReadFailure(file, e);
  }
  return leaseFileOf(raw);
}

/**
 * A lease file that could not be read or parsed. Unreadable for lack of permission is thrown as a
 * StateAccessError: it says nothing about the lease, and calling it tampered would send a user
 * who merely runs `check` unprivileged looking for an attack. Anything else is a damaged file.
 */
export function leaseReadFailure(file: string, e: unknown): LeaseFile {
  if (isPermissionError(e)) throw new StateAccessError(file, e.code!);
  return { kind: 'corrupt' };
}

/** HeldLease and Tombstone (lease-store.ts) as plain predicates. */
export function leaseFileOf(raw: unknown): LeaseFile {
  if (raw === null) return { kind: 'none' };
  if (!isPlainObject(raw)) return { kind: 'corrupt' };
  if (hasExactKeys(raw, ['token', 'storedAt']) && isLeaseToken(raw.token) && isInt(raw.storedAt)) {
    return { kind: 'held', lease: { token: raw.token, storedAt: raw.storedAt } };
  }
  const r = raw.revoked;
  if (
    hasExactKeys(raw, ['revoked']) &&
    isPlainObject(r) &&
    hasExactKeys(r, ['jti', 'reason', 'at']) &&
    isEntityId(r.jti) &&
    typeof r.reason === 'string' &&
    REVOKE_REASONS.includes(r.reason) &&
    isInt(r.at)
  ) {
    return { kind: 'revoked', revoked: { jti: r.jti, reason: r.reason as Tombstone['revoked']['reason'], at: r.at } };
  }
  return { kind: 'corrupt' };
}

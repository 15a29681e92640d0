// leases/<PRODUCT>.json: the lease the device holds for a product, or a tombstone saying which
// lease was revoked and why, so `check` can answer "revoked: reassigned" instead of "no lease".
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { EntityId, LeaseToken, ProductCode } from '../../shared/protocol/common.js';
import { RevokeReason } from '../../shared/protocol/lease.js';
import { readJson, readJsonSync, writeJsonAtomic } from './atomic-write.js';
import type { StatePaths } from './paths.js';

export const HeldLease = z.strictObject({
  token: LeaseToken,
  /** epoch ms when stored */
  storedAt: z.number().int(),
});
export type HeldLease = z.infer<typeof HeldLease>;

export const Tombstone = z.strictObject({
  revoked: z.strictObject({
    jti: EntityId,
    reason: RevokeReason,
    /** epoch ms when the revocation was applied */
    at: z.number().int(),
  }),
});
export type Tombstone = z.infer<typeof Tombstone>;

export const LeaseEntry = z.union([HeldLease, Tombstone]);
export type LeaseEntry = z.infer<typeof LeaseEntry>;

/** What a lease file holds, as far as it can be read. `corrupt`: present but not a lease entry. */
export type LeaseFile = { kind: 'none' } | { kind: 'corrupt' } | { kind: 'held'; lease: HeldLease } | ({ kind: 'revoked' } & Tombstone);

export async function readLeaseFile(paths: StatePaths, productCode: string): Promise<LeaseFile> {
  if (!ProductCode.safeParse(productCode).success) return { kind: 'none' };
  let raw: unknown;
  try {
    raw = await readJson(paths.lease(productCode));
  } catch {
    return { kind: 'corrupt' };
  }
  return leaseFileOf(raw);
}

/** readLeaseFile without the thread pool (for `check`). */
export function readLeaseFileSync(paths: StatePaths, productCode: string): LeaseFile {
  if (!ProductCode.safeParse(productCode).success) return { kind: 'none' };
  let raw: unknown;
  try {
    raw = readJsonSync(paths.lease(productCode));
  } catch {
    return { kind: 'corrupt' };
  }
  return leaseFileOf(raw);
}

function leaseFileOf(raw: unknown): LeaseFile {
  if (raw === null) return { kind: 'none' };
  const held = HeldLease.safeParse(raw);
  if (held.success) return { kind: 'held', lease: held.data };
  const tomb = Tombstone.safeParse(raw);
  if (tomb.success) return { kind: 'revoked', revoked: tomb.data.revoked };
  return { kind: 'corrupt' };
}

export async function writeHeldLease(paths: StatePaths, productCode: string, token: string, now: number): Promise<void> {
  await writeJsonAtomic(paths.lease(ProductCode.parse(productCode)), HeldLease.parse({ token, storedAt: now }));
}

export async function writeTombstone(paths: StatePaths, productCode: string, revoked: Tombstone['revoked']): Promise<void> {
  await writeJsonAtomic(paths.lease(ProductCode.parse(productCode)), Tombstone.parse({ revoked }));
}

/** Product codes that have a lease file (held, revoked or corrupt). */
export async function listLeaseProducts(paths: StatePaths): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(paths.leases);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .map((n) => n.slice(0, -'.json'.length))
    .filter((c) => ProductCode.safeParse(c).success)
    .sort();
}

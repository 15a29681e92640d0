// leases/<PRODUCT>.json: the lease the device holds for a product, or a tombstone saying which
// lease was revoked and why, so `check` can answer "revoked: reassigned" instead of "no lease".
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { ProductCode } from '../../shared/protocol/common.js';
import { accessErrorOf } from './access-error.js';
import { readJson, writeJsonAtomic } from './atomic-write.js';
import { HeldLease, Tombstone } from './lease-entry.js';
import { leaseFileOf, leaseReadFailure, type LeaseFile } from './lease-file.js';
import { ensurePublicDir, PUBLIC_FILE_MODE } from './modes.js';
import type { StatePaths } from './paths.js';

export { HeldLease, Tombstone };

export const LeaseEntry = z.union([HeldLease, Tombstone]);
export type LeaseEntry = z.infer<typeof LeaseEntry>;

export { leaseFileOf, leaseReadFailure, readLeaseFileSync, type LeaseFile } from './lease-file.js';

/** Throws StateAccessError when this user may not read the file (see leaseReadFailure). */
export async function readLeaseFile(paths: StatePaths, productCode: string): Promise<LeaseFile> {
  if (!ProductCode.safeParse(productCode).success) return { kind: 'none' };
  const file = paths.lease(productCode);
  let raw: unknown;
  try {
    raw = await readJson(file);
  } catch (e) {
    return leaseReadFailure(file, e);
  }
  return leaseFileOf(raw);
}

export async function writeHeldLease(paths: StatePaths, productCode: string, token: string, now: number): Promise<void> {
  await writeLeaseEntry(paths, productCode, HeldLease.parse({ token, storedAt: now }));
}

export async function writeTombstone(paths: StatePaths, productCode: string, revoked: Tombstone['revoked']): Promise<void> {
  await writeLeaseEntry(paths, productCode, Tombstone.parse({ revoked }));
}

async function writeLeaseEntry(paths: StatePaths, productCode: string, entry: LeaseEntry): Promise<void> {
  const file = paths.lease(ProductCode.parse(productCode));
  // Readable by every user (`check` runs as them), whatever umask the service runs with.
  await ensurePublicDir(paths.leases);
  await writeJsonAtomic(file, entry, { mode: PUBLIC_FILE_MODE });
}

/** Product codes that have a lease file (held, revoked or corrupt). */
export async function listLeaseProducts(paths: StatePaths): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(paths.leases);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw accessErrorOf(paths.leases, e);
  }
  return names
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .map((n) => n.slice(0, -'.json'.length))
    .filter((c) => ProductCode.safeParse(c).success)
    .sort();
}

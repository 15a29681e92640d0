// Applying what the server pushes to the state directory. Every function is idempotent: the
// server resends unacked pushes after a reconnect, and a reconcile repeats what a push already did.
import { KeyObject } from 'node:crypto';
import { peekLeaseClaims, verifyLease, type Ed25519PublicJwk, type LeaseClaims, type LeaseKey, type LeaseVerifyFailure, type LeaseVerifyResult } from '../../shared/lease.js';
import type { LeaseKeys } from '../../shared/protocol/lease-keys.js';
import { leaseKeyFor, trustsKeySet } from '../local/lease-verify.js';
import { readLeaseKeysSync, writeLeaseKeys } from '../state/lease-keys-file.js';
import type { AccountRef } from '../../shared/protocol/common.js';
import type { Revocation, RevokeReason } from '../../shared/protocol/lease.js';
import type { Reconcile } from '../../shared/protocol/reconcile.js';
import type { Clock } from '../clock.js';
import type { AgentLogger } from '../log.js';
import { listLeaseProducts, readLeaseFile, writeHeldLease, writeTombstone } from '../state/lease-store.js';
import type { StatePaths } from '../state/paths.js';
import { raiseHighestSeen } from '../state/clock-guard.js';
import { writeSession } from '../state/session.js';

export interface ApplyContext {
  paths: StatePaths;
  deviceId: string;
  /** the lease key pinned at enrollment */
  leaseKey: LeaseKey;
  clock: Clock;
  logger: AgentLogger;
}

/** The pinned key as a JWK (the context holds it imported). */
function pinnedJwkOf(key: LeaseKey): Ed25519PublicJwk {
  const k = key instanceof KeyObject ? key : KeyObject.from(key as Parameters<typeof KeyObject.from>[0]);
  return { kty: 'OKP', crv: 'Ed25519', x: k.export({ format: 'jwk' }).x as string };
}

/**
 * Takes the lease keys the server published, when a key this agent accepts now signed them; a
 * set nobody trusted signed is refused (a stranger on the wire must not add a key of its own).
 */
export async function applyLeaseKeys(ctx: ApplyContext, msg: LeaseKeys): Promise<'stored' | 'unchanged' | 'refused'> {
  const now = ctx.clock.now();
  const current = readLeaseKeysSync(ctx.paths);
  if (current && JSON.stringify(current.keys) === JSON.stringify(msg.keys)) return 'unchanged';
  if (!trustsKeySet(msg, pinnedJwkOf(ctx.leaseKey), current, now)) {
    ctx.logger.warn('lease keys: refused a set no trusted key signed', { kids: msg.keys.map((k) => k.kid) });
    return 'refused';
  }
  await writeLeaseKeys(ctx.paths, msg.keys, now);
  ctx.logger.info('lease keys: stored', { kids: msg.keys.map((k) => k.kid) });
  return 'stored';
}

export type GrantOutcome =
  | { result: 'stored'; productCode: string; jti: string }
  | { result: 'unchanged'; productCode: string; jti: string }
  | { result: 'ignored'; productCode: string; jti: string; why: 'revoked-jti' | 'older-than-held' }
  | { result: 'rejected'; reason: LeaseVerifyFailure };

/**
 * Verifies a granted token with the pinned key and stores it. A token that does not verify is
 * rejected (and the push still acked: resending it will not make it valid).
 */
export async function applyGrant(ctx: ApplyContext, token: string): Promise<GrantOutcome> {
  const now = ctx.clock.now();
  // The key the token names, among those the server published (or the pinned one).
  const key = leaseKeyFor(token, pinnedJwkOf(ctx.leaseKey), readLeaseKeysSync(ctx.paths), now);
  const v: LeaseVerifyResult = key ? await verifyLease(token, key, { deviceId: ctx.deviceId, now: Math.floor(now / 1000) }) : { ok: false, reason: 'tampered' };
  if (!v.ok) {
    ctx.logger.warn('lease: grant rejected', { reason: v.reason });
    return { result: 'rejected', reason: v.reason };
  }
  const { prod: productCode, jti } = v.claims;
  const current = await readLeaseFile(ctx.paths, productCode);
  if (current.kind === 'revoked' && current.revoked.jti === jti) {
    // A revocation is final for its jti; a late grant of the same lease must not resurrect it.
    return { result: 'ignored', productCode, jti, why: 'revoked-jti' };
  }
  if (current.kind === 'held') {
    const held = peekLeaseClaims(current.lease.token);
    // The same lease signed again (its key retired) is taken: the token verified with a key trusted now.
    if (held?.jti === jti && current.lease.token === token) return { result: 'unchanged', productCode, jti };
    if (held && held.iat > v.claims.iat && held.exp > Math.floor(now / 1000)) {
      return { result: 'ignored', productCode, jti, why: 'older-than-held' };
    }
  }
  await writeHeldLease(ctx.paths, productCode, token, now);
  await raiseHighestSeen(ctx.paths, now).catch(() => false);
  ctx.logger.info('lease: stored', { productCode, jti, exp: v.claims.exp });
  return { result: 'stored', productCode, jti };
}

export type RevokeOutcome = 'tombstoned' | 'unchanged' | 'ignored';

/** Drops the lease `jti` if it is the one held for the product, leaving a tombstone with the reason. */
export async function applyRevoke(ctx: ApplyContext, rev: Revocation): Promise<RevokeOutcome> {
  const current = await readLeaseFile(ctx.paths, rev.productCode);
  if (current.kind === 'revoked') return current.revoked.jti === rev.jti ? 'unchanged' : 'ignored';
  if (current.kind === 'held' && peekLeaseClaims(current.lease.token)?.jti !== rev.jti) {
    // A newer lease replaced the revoked one already; keep it.
    return 'ignored';
  }
  await writeTombstone(ctx.paths, rev.productCode, { jti: rev.jti, reason: rev.reason, at: ctx.clock.now() });
  ctx.logger.info('lease: revoked', { productCode: rev.productCode, jti: rev.jti, reason: rev.reason });
  return 'tombstoned';
}

export interface ReconcileOutcome {
  grants: GrantOutcome[];
  revokes: RevokeOutcome[];
}

/** Revocations first, then grants: a revoke of the old lease never undoes a grant of the new one. */
export async function applyReconcile(ctx: ApplyContext, msg: Reconcile): Promise<ReconcileOutcome> {
  const revokes: RevokeOutcome[] = [];
  for (const r of msg.revoke) revokes.push(await applyRevoke(ctx, r));
  const grants: GrantOutcome[] = [];
  for (const t of msg.grant) grants.push(await applyGrant(ctx, t));
  await writeSession(ctx.paths, msg.signedInAccount, ctx.clock.now());
  return { grants, revokes };
}

/** jtis of the leases held now (for hello). */
export async function heldJtis(paths: StatePaths): Promise<string[]> {
  const jtis: string[] = [];
  for (const code of await listLeaseProducts(paths)) {
    const f = await readLeaseFile(paths, code);
    if (f.kind !== 'held') continue;
    const jti = peekLeaseClaims(f.lease.token)?.jti;
    if (jti) jtis.push(jti);
  }
  return jtis;
}

/** What tombstoning needs: no lease key (nothing is verified, only dropped). */
export type DropContext = Pick<ApplyContext, 'paths' | 'clock' | 'logger'>;

/** Tombstones every held lease `which` selects, with `reason`; returns the products dropped. */
async function dropHeld(ctx: DropContext, reason: RevokeReason, which: (claims: LeaseClaims) => boolean): Promise<string[]> {
  const dropped: string[] = [];
  for (const code of await listLeaseProducts(ctx.paths)) {
    const f = await readLeaseFile(ctx.paths, code);
    if (f.kind !== 'held') continue;
    // A token without readable claims has no jti to tombstone; `check` refuses it as tampered anyway.
    const claims = peekLeaseClaims(f.lease.token);
    if (!claims || !which(claims)) continue;
    await writeTombstone(ctx.paths, code, { jti: claims.jti, reason, at: ctx.clock.now() });
    dropped.push(code);
  }
  return dropped;
}

/** Local half of logout: tombstones every lease whose subject is the account. */
export function dropLeasesOf(ctx: DropContext, account: AccountRef): Promise<string[]> {
  return dropHeld(ctx, 'signed-out', (c) => c.sub === account.id);
}

/**
 * The server said this device is revoked. Its leases are still signed and unexpired, so `check`
 * would honour them for days; dropping them here makes the revocation take effect at once, even
 * when the server refused the hello before it could send a reconcile.
 */
export async function dropAllLeases(ctx: DropContext, reason: RevokeReason): Promise<string[]> {
  const dropped = await dropHeld(ctx, reason, () => true);
  if (dropped.length > 0) ctx.logger.warn('lease: dropped every lease', { reason, products: dropped });
  return dropped;
}

// "May this product run here, now?" — answered from the state directory alone, so it works with
// the daemon down and the server unreachable: pinned-key signature, device, expiry, clock guard.
// Loads neither zod nor jose (the `check` command's whole module graph stays small: see
// test/agent/lean-check.test.ts); everything up to the answer is synchronous.
import type { KeyObject } from 'node:crypto';
import type { ActivationMethod } from '../../shared/protocol/common.js';
import type { RevokeReason } from '../../shared/protocol/lease.js';
import type { Clock } from '../clock.js';
import type { CheckConfig } from '../state/check-config.js';
import { judgeClock, raiseHighestSeen, readHighestSeenSync } from '../state/clock-guard.js';
import { readLeaseFileSync } from '../state/lease-file.js';
import type { StatePaths } from '../state/paths.js';
import { isProductCode } from '../state/shapes.js';
import { leaseKeyFor, verifyLeaseSync } from './lease-verify.js';
import { readLeaseKeysSync } from '../state/lease-keys-file.js';

export type DenyReason = 'no-lease' | 'revoked' | 'expired' | 'tampered' | 'wrong-device' | 'clock-rolled-back';

export type CheckResult =
  | {
      ok: true;
      productCode: string;
      subject: string;
      method: ActivationMethod;
      jti: string;
      /** epoch ms */
      expiresAt: number;
    }
  | {
      ok: false;
      productCode: string;
      reason: DenyReason;
      /** for `revoked`: why the server revoked it */
      revokeReason?: RevokeReason;
      /** for `expired`: when, epoch ms */
      expiresAt?: number;
    };

export interface CheckOptions {
  paths: StatePaths;
  /** config.json, or what check needs of it */
  config: CheckConfig;
  productCode: string;
  clock: Clock;
  /** the key to verify with (default: the one the lease names, of the published set or the pinned key) */
  leaseKey?: KeyObject;
  /** record `now` as the highest time seen when it is (default true; `status` passes false) */
  raiseClock?: boolean;
}

/**
 * `check` records the time it saw at most once a minute: each record is an fsync'd file write
 * (milliseconds), and check must answer in well under one. The recorded time then trails the
 * truth by under a minute, next to the guard's five minutes of tolerance.
 */
export const CLOCK_RECORD_EVERY_MS = 60_000;

export async function checkProduct(opts: CheckOptions): Promise<CheckResult> {
  const { paths, config, productCode, clock } = opts;
  if (!isProductCode(productCode)) throw new TypeError(`not a product code: ${productCode}`);
  const now = clock.now();

  // Two small local files, read synchronously: check answers in well under a millisecond, and
  // an async read would add a thread-pool round trip (and its tail) per file.
  const file = readLeaseFileSync(paths, productCode);
  const verdict = judgeClock(now, readHighestSeenSync(paths));
  if (!verdict.ok) return { ok: false, productCode, reason: 'clock-rolled-back' };
  if (opts.raiseClock !== false && now - verdict.highestSeen >= CLOCK_RECORD_EVERY_MS) {
    // An unprivileged caller may not be able to write the state dir; the check still stands.
    await raiseHighestSeen(paths, now).catch(() => false);
  }

  if (file.kind === 'none') return { ok: false, productCode, reason: 'no-lease' };
  if (file.kind === 'corrupt') return { ok: false, productCode, reason: 'tampered' };
  if (file.kind === 'revoked') return { ok: false, productCode, reason: 'revoked', revokeReason: file.revoked.reason };

  // The key the lease names, among those the server last published (or the pinned one).
  const key = opts.leaseKey ?? leaseKeyFor(file.lease.token, config.leasePublicKeyJwk, readLeaseKeysSync(paths), now);
  if (!key) return { ok: false, productCode, reason: 'tampered' };
  const v = verifyLeaseSync(file.lease.token, key, { deviceId: config.deviceId, now: Math.floor(now / 1000) });
  if (!v.ok) {
    if (v.reason === 'expired') {
      // verifyLease does not hand back claims of an expired lease; the file was verified when stored.
      return { ok: false, productCode, reason: 'expired' };
    }
    return { ok: false, productCode, reason: v.reason === 'malformed' ? 'tampered' : v.reason };
  }
  // A valid lease copied into another product's file is still not a lease for this product.
  if (v.claims.prod !== productCode) return { ok: false, productCode, reason: 'tampered' };
  // The server signed this lease at `iat`: a clock before that has been set back, whatever
  // clock.json says (deleting it must not reset the guard). Same tolerance as the guard's.
  if (!judgeClock(now, v.claims.iat * 1000).ok) return { ok: false, productCode, reason: 'clock-rolled-back' };
  return { ok: true, productCode, subject: v.claims.sub, method: v.claims.meth, jti: v.claims.jti, expiresAt: v.claims.exp * 1000 };
}

/** One line for humans: "ok until 2025-11-24T10:00:00Z" or "revoked: reassigned". */
export function describeCheck(r: CheckResult): string {
  if (r.ok) return `ok (${r.method}, until ${new Date(r.expiresAt).toISOString()})`;
  if (r.reason === 'revoked') return `revoked: ${r.revokeReason ?? 'unknown'}`;
  return r.reason;
}

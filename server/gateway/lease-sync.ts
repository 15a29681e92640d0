// Lease plans carried out on an organization document inside a transaction, and the reconcile
// frame body for a device. Callers sign and send in the transaction's continuation, without
// yielding in between, so pushes leave in the order their transactions ran.
import type { KeyObject } from 'node:crypto';
import type { AccountRef, Reconcile, Revocation } from '../../shared/protocol/index.js';
import { applyPlan, isLive, planDevice, planIsEmpty, type LeasePlan, type PlanOptions } from '../domain/entitlements.js';
import type { OrgIndex } from '../domain/org-index.js';
import type { Account, Lease, OrgDoc, RevokeReason } from '../domain/model.js';
import { tokenOf } from './lease-signer.js';

export interface DeviceChange {
  deviceId: string;
  revoked: Array<{ lease: Lease; reason: RevokeReason }>;
  granted: Lease[];
}

/** Would syncing these devices change anything? (If no plan changes the unmodified doc, none will.) */
export function needsSync(doc: OrgDoc, deviceIds: string[], now: number, opts: PlanOptions, idx: OrgIndex): boolean {
  return deviceIds.some((id) => !planIsEmpty(planDevice(doc, id, now, opts, idx)));
}

/**
 * Plans and applies, one device after another, so seats taken by one are seen by the next. `idx`
 * is required: it must be the gateway's index of this document, which every lease write keeps current.
 */
export function syncOn(doc: OrgDoc, deviceIds: string[], now: number, opts: PlanOptions, newJti: () => string, idx: OrgIndex): DeviceChange[] {
  const out: DeviceChange[] = [];
  for (const id of deviceIds) {
    const plan = planDevice(doc, id, now, opts, idx);
    if (planIsEmpty(plan)) continue;
    out.push(applyChange(doc, plan, now, newJti, idx));
  }
  return out;
}

export function applyChange(doc: OrgDoc, plan: LeasePlan, now: number, newJti: () => string, idx: OrgIndex): DeviceChange {
  const granted = applyPlan(doc, plan, now, doc.org.settings.leaseTtlSeconds * 1000, newJti, idx);
  return { deviceId: plan.deviceId, revoked: plan.revoke.map((r) => ({ lease: doc.leases[r.lease.jti]!, reason: r.reason })), granted };
}

export function accountRef(accounts: Record<string, Account>, id: string | null): AccountRef | null {
  const a = id ? accounts[id] : undefined;
  return a ? { id: a.id, email: a.email, name: a.name } : null;
}

export const revocationOf = (lease: Lease, reason: RevokeReason): Revocation => ({ jti: lease.jti, productCode: lease.productCode, reason });

/**
 * What the device should hold and drop. `held`: the jtis the agent reported (grants then skip
 * those, revocations cover those); null means "unknown", so every live lease is granted.
 */
export function reconcileBody(
  doc: OrgDoc,
  accounts: Record<string, Account>,
  key: KeyObject,
  deviceId: string,
  now: number,
  held: ReadonlySet<string> | null,
  alsoRevoke: Revocation[] = [],
  idx?: OrgIndex,
): Omit<Reconcile, 'v' | 'type' | 'id'> {
  const device = doc.devices[deviceId];
  const grant: string[] = [];
  const revoke = new Map<string, Revocation>();
  const mine = idx ? idx.leasesOf(deviceId) : Object.values(doc.leases).filter((l) => l.deviceId === deviceId);
  const liveProducts = new Set(mine.filter((l) => isLive(l, now)).map((l) => l.productCode));
  for (const l of mine) {
    if (isLive(l, now)) {
      if (!held?.has(l.jti)) grant.push(tokenOf(key, doc.org.id, l));
    } else if (held?.has(l.jti) && l.status === 'revoked' && l.revokeReason) {
      // A lease replaced by a newer one for the same product needs no revocation: the grant replaces it.
      if (l.revokeReason === 'superseded' && liveProducts.has(l.productCode)) continue;
      revoke.set(l.jti, revocationOf(l, l.revokeReason));
    }
  }
  for (const r of alsoRevoke) if (!doc.leases[r.jti] || !isLive(doc.leases[r.jti]!, now)) revoke.set(r.jti, r);
  return {
    grant: grant.slice(0, 256),
    revoke: [...revoke.values()].slice(0, 256),
    signedInAccount: accountRef(accounts, device?.signedInAccountId ?? null),
  };
}

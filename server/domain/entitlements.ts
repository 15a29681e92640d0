// Who may hold which lease on which device, right now. Pure: reads an organization document and
// says what to grant, keep, replace or revoke; the gateway carries it out inside a transaction.
import type { ActivationMethod, Contract, ContractLine, Device, Lease, OrgDoc, RevokeReason } from './model.js';
import { OrgIndex } from './org-index.js';
import { findLine, isContractActive } from './seats.js';

// Written once, in seats.ts; imported from here by the gateway and jobs as well.
export { findLine, isContractActive };

export { OrgIndex };

/** One product a device should hold a lease for, and on whose seat. */
export interface Entitlement {
  productCode: string;
  lineId: string;
  contractId: string;
  /** account id, or "serial:<number>" */
  subject: string;
  method: ActivationMethod;
}

export interface LeasePlan {
  deviceId: string;
  /** leases to drop, with why; the agent is told */
  revoke: Array<{ lease: Lease; reason: RevokeReason }>;
  /** leases replaced by a grant for the same product (renewal, new seat, new method); not pushed as revokes */
  supersede: Lease[];
  /** new leases to issue */
  grant: Entitlement[];
}

export const SERIAL_SUBJECT_PREFIX = 'serial:';

export const normalizeSerial = (serial: string): string => serial.trim().toUpperCase();


/** A lease counts as held while it is active and not past its expiry. */
export function isLive(lease: Lease, now: number): boolean {
  return lease.status === 'active' && lease.expiresAt > now;
}

function namedUserSubject(idx: OrgIndex, device: Device, contract: Contract, line: ContractLine): string | null {
  const doc = idx.doc;
  const accountId = device.signedInAccountId;
  if (!accountId || !doc.members[accountId]) return null;
  const product = doc.products[line.productCode];
  const installed = product?.kind === 'service' || device.inventory.some((i) => i.productCode === line.productCode);
  if (!installed || !idx.isAssigned(line.id, accountId)) return null;
  if (product?.needsProjectMembership && !idx.hasProject(accountId, contract.id)) return null;
  return accountId;
}

function serialSubject(idx: OrgIndex, device: Device, contract: Contract, line: ContractLine): string | null {
  const item = device.inventory.find(
    (i) => i.productCode === line.productCode && i.serial !== null && contract.serials.includes(normalizeSerial(i.serial)),
  );
  if (!item?.serial) return null;
  // First come: a device already holding a serial lease on this line keeps it; the others share
  // what is left. Only serial leases count, so after a switch the old named-user leases do not
  // keep serial seats from their new holders.
  if (!idx.holdsSerialSeat(line.id, device.id) && idx.serialSeatsTaken(line.id) >= line.seats) return null;
  return `${SERIAL_SUBJECT_PREFIX}${normalizeSerial(item.serial)}`;
}

/** What the device should hold now: at most one entitlement per product. */
export function entitlementsFor(doc: OrgDoc, deviceId: string, now: number, idx = new OrgIndex(doc, now)): Entitlement[] {
  const device = doc.devices[deviceId];
  if (!device || device.revokedAt) return [];
  const held = idx.liveLeasesOf(deviceId, now);
  const candidates: Entitlement[] = [];
  for (const { contract, line } of idx.lines) {
    if (!isContractActive(contract, now)) continue;
    const subject = line.method === 'named-user' ? namedUserSubject(idx, device, contract, line) : serialSubject(idx, device, contract, line);
    if (subject) candidates.push({ productCode: line.productCode, lineId: line.id, contractId: contract.id, subject, method: line.method });
  }
  const byProduct = new Map<string, Entitlement>();
  for (const e of candidates) {
    const current = byProduct.get(e.productCode);
    // Prefer the seat the device already holds, so a second line never causes churn.
    if (!current || (!holdsMatching(held, current) && holdsMatching(held, e))) byProduct.set(e.productCode, e);
  }
  return [...byProduct.values()];
}

function holdsMatching(held: Lease[], e: Entitlement): boolean {
  return held.some((l) => matches(l, e));
}

function matches(l: Lease, e: Entitlement): boolean {
  return l.productCode === e.productCode && l.lineId === e.lineId && l.subject === e.subject && l.method === e.method;
}

export interface PlanOptions {
  /** reason for leases that are no longer entitled; inferred per lease when absent */
  reason?: RevokeReason;
  /** epoch ms: a kept lease expiring before this is replaced by a fresh one (renewal) */
  renewBefore?: number;
}

/** Compares what the device holds with what it should hold. */
export function planDevice(doc: OrgDoc, deviceId: string, now: number, opts: PlanOptions, idx = new OrgIndex(doc, now)): LeasePlan {
  const plan: LeasePlan = { deviceId, revoke: [], supersede: [], grant: [] };
  const entitled = entitlementsFor(doc, deviceId, now, idx);
  const held = idx.liveLeasesOf(deviceId, now).sort((a, b) => b.issuedAt - a.issuedAt);
  const kept = new Set<string>();
  for (const lease of held) {
    const e = entitled.find((x) => x.productCode === lease.productCode);
    if (!e) plan.revoke.push({ lease, reason: opts.reason ?? inferRevokeReason(doc, lease, now) });
    else if (!kept.has(e.productCode) && matches(lease, e) && !(opts.renewBefore !== undefined && lease.expiresAt < opts.renewBefore)) {
      kept.add(e.productCode);
    } else plan.supersede.push(lease);
  }
  for (const e of entitled) if (!kept.has(e.productCode)) plan.grant.push(e);
  return plan;
}

export function planIsEmpty(p: LeasePlan): boolean {
  return p.revoke.length === 0 && p.supersede.length === 0 && p.grant.length === 0;
}

/**
 * Carries a plan out on `doc` (inside a transaction, or on a copy for a simulation) and returns
 * the leases it created. `newJti` names each new lease; `ttlMs` is its lifetime; `idx`, when the
 * pass has one, is kept current.
 */
export function applyPlan(doc: OrgDoc, plan: LeasePlan, now: number, ttlMs: number, newJti: () => string, idx?: OrgIndex): Lease[] {
  for (const { lease, reason } of plan.revoke) {
    idx?.ending(doc.leases[lease.jti]!);
    revokeLease(doc.leases[lease.jti]!, reason, now);
  }
  for (const lease of plan.supersede) {
    idx?.ending(doc.leases[lease.jti]!);
    revokeLease(doc.leases[lease.jti]!, 'superseded', now);
  }
  const created: Lease[] = [];
  for (const e of plan.grant) {
    const lease: Lease = {
      jti: newJti(),
      deviceId: plan.deviceId,
      subject: e.subject,
      productCode: e.productCode,
      method: e.method,
      lineId: e.lineId,
      // Whole seconds: the signed claims carry seconds, and the store must say the same.
      issuedAt: Math.floor(now / 1000) * 1000,
      expiresAt: Math.floor((now + ttlMs) / 1000) * 1000,
      status: 'active',
      revokedAt: null,
      revokeReason: null,
    };
    doc.leases[lease.jti] = lease;
    idx?.added(lease, now);
    created.push(lease);
  }
  return created;
}

export function revokeLease(lease: Lease, reason: RevokeReason, now: number): void {
  lease.status = 'revoked';
  lease.revokedAt = now;
  lease.revokeReason = reason;
}

/**
 * Drops leases that ended (revoked or expired) and expired more than `keepMs` ago. A revoked lease
 * is kept until its expiry has passed: an agent that was offline when it was revoked still holds
 * a valid token until then, and only the record lets its next reconcile revoke it.
 */
export function pruneLeases(doc: OrgDoc, now: number, keepMs: number): number {
  let n = 0;
  for (const [jti, l] of Object.entries(doc.leases)) {
    if (now - l.expiresAt > keepMs) {
      delete doc.leases[jti];
      n++;
    }
  }
  return n;
}

export interface ChangeScope {
  accountIds?: string[];
  deviceIds?: string[];
  lineIds?: string[];
  all?: boolean;
}

/**
 * The devices an entitlement change may concern, in a stable order (enrollment time: first come).
 * The index answers from what it keeps, without reading every device.
 */
export function affectedDevices(doc: OrgDoc, change: ChangeScope, now: number, idx = new OrgIndex(doc, now)): string[] {
  const accounts = new Set(change.accountIds ?? []);
  const ids = new Set(change.deviceIds ?? []);
  const lines = (change.lineIds ?? []).map((id) => idx.line(id)).filter((x) => x !== undefined);
  const products = new Set(lines.map((x) => x.line.productCode));
  const serviceLine = [...products].some((p) => doc.products[p]?.kind === 'service');
  // Devices holding a live lease of one of the accounts or on one of the lines, from the index.
  for (const l of [...[...accounts].flatMap((a) => idx.leasesOfSubject(a)), ...lines.flatMap((x) => idx.leasesOnLine(x.line.id))]) {
    if (isLive(l, now)) ids.add(l.deviceId);
  }
  if (change.all || serviceLine) {
    // Every device, or every signed-in one (a service is used by whoever is signed in anywhere).
    for (const d of Object.values(doc.devices)) if (change.all || d.signedInAccountId !== null) ids.add(d.id);
  } else {
    for (const id of idx.devicesFor(accounts, products)) ids.add(id);
  }
  const out: Device[] = [];
  for (const id of ids) {
    const d = doc.devices[id];
    if (d) out.push(d);
  }
  return out.sort((a, b) => a.enrolledAt - b.enrolledAt || (a.id < b.id ? -1 : 1)).map((d) => d.id);
}

/** Why a lease that is no longer entitled goes, when no event said so (reconnect, renewal). */
export function inferRevokeReason(doc: OrgDoc, lease: Lease, now: number): RevokeReason {
  const device = doc.devices[lease.deviceId];
  if (!device || device.revokedAt) return 'device-revoked';
  const found = findLine(doc, lease.lineId);
  if (!found || !isContractActive(found.contract, now)) return 'contract-ended';
  if (found.line.method !== lease.method) return 'method-switched';
  if (lease.method === 'named-user') {
    if (device.signedInAccountId !== lease.subject) return 'signed-out';
    if (!doc.members[lease.subject]) return 'member-removed';
    // The seat is still theirs; what they lost is the project team the product needs.
    const needsTeam = doc.products[lease.productCode]?.needsProjectMembership ?? false;
    if (needsTeam && Object.values(doc.assignments).some((a) => a.lineId === lease.lineId && a.accountId === lease.subject)) return 'team-removed';
  }
  return 'unassigned';
}

export type LeaseRequestPlan =
  | { kind: 'current'; lease: Lease }
  | { kind: 'change'; plan: LeasePlan }
  | { kind: 'revoked'; lease: Lease }
  | { kind: 'none' };

/**
 * An agent asks for (or renews) its lease for one product. A lease younger than `minRenewMs` is
 * sent again instead of a new one, so a chatty agent cannot grow the lease table.
 */
export function planLeaseRequest(
  doc: OrgDoc,
  deviceId: string,
  productCode: string,
  now: number,
  minRenewMs: number,
  idx = new OrgIndex(doc, now),
): LeaseRequestPlan {
  const e = entitlementsFor(doc, deviceId, now, idx).find((x) => x.productCode === productCode);
  const live = idx
    .liveLeasesOf(deviceId, now)
    .filter((l) => l.productCode === productCode)
    .sort((a, b) => b.issuedAt - a.issuedAt);
  const plan: LeasePlan = { deviceId, revoke: [], supersede: [], grant: [] };
  if (e) {
    const newest = live[0];
    if (newest && matches(newest, e) && now - newest.issuedAt < minRenewMs) return { kind: 'current', lease: newest };
    plan.supersede.push(...live);
    plan.grant.push(e);
    return { kind: 'change', plan };
  }
  if (live.length > 0) {
    plan.revoke.push(...live.map((lease) => ({ lease, reason: inferRevokeReason(doc, lease, now) })));
    return { kind: 'change', plan };
  }
  const last = idx
    .leasesOf(deviceId)
    .filter((l) => l.productCode === productCode && l.status === 'revoked' && l.revokeReason !== 'superseded')
    .sort((a, b) => (b.revokedAt ?? 0) - (a.revokedAt ?? 0))[0];
  return last ? { kind: 'revoked', lease: last } : { kind: 'none' };
}

// Once a minute: seats in use per product and devices online into doc.usage (24 h kept) for the
// dashboard chart, each finished day folded into doc.usageDays (90 days kept) before its samples
// go, old leases pruned, and contracts that ran out by themselves acted on.
import { findLine, isContractActive, isLive, pruneLeases } from '../domain/entitlements.js';
import { rollUpUsage } from '../domain/reports.js';
import type { Services } from '../core/services.js';

export const USAGE_KEEP_MS = 24 * 3600 * 1000;
export const LEASE_KEEP_MS = 24 * 3600 * 1000;

export async function sampleUsage(s: Services): Promise<void> {
  const now = s.clock();
  const samples = new Map<string, { inUse: Record<string, number>; devicesOnline: number }>();
  for (const orgId of s.store.orgIds()) {
    const doc = s.store.org(orgId)!;
    const inUse: Record<string, number> = {};
    for (const [lineId, n] of Object.entries(s.gateway.presence.inUseByLine(orgId))) {
      const code = findLine(doc, lineId)?.line.productCode;
      if (code) inUse[code] = (inUse[code] ?? 0) + n;
    }
    samples.set(orgId, { inUse, devicesOnline: s.gateway.presence.onlineDevices(orgId).size });
  }
  await s.store.tx((t) => {
    for (const [orgId, sample] of samples) {
      const doc = t.org(orgId);
      if (!doc) continue;
      doc.usage.push({ at: now, ...sample });
      // Folded in the same transaction that prunes: no sample goes before its day is kept.
      rollUpUsage(doc, now);
      const keepFrom = doc.usage.findIndex((u) => now - u.at <= USAGE_KEEP_MS);
      doc.usage.splice(0, keepFrom === -1 ? doc.usage.length : keepFrom);
      pruneLeases(doc, now, LEASE_KEEP_MS);
    }
  });
  // Pruned leases, and serial seats held by leases that ran out meanwhile: the gateway's index starts over.
  s.gateway.leasesChangedOutside();
}

/** Lines of contracts that ended by the calendar while leases on them are still live. */
export function expireEndedContracts(s: Services): void {
  const now = s.clock();
  for (const orgId of s.store.orgIds()) {
    const doc = s.store.org(orgId)!;
    const lineIds = new Set<string>();
    for (const l of Object.values(doc.leases)) {
      if (!isLive(l, now)) continue;
      const found = findLine(doc, l.lineId);
      if (found && !isContractActive(found.contract, now)) lineIds.add(l.lineId);
    }
    if (lineIds.size > 0) s.gateway.rightsChanged({ orgId, reason: 'contract-ended', lineIds: [...lineIds] });
  }
}

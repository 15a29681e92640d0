// Seats: which contracts are active, where a line lives, how many of its seats are taken, and
// the seat summary the dashboard shows. Pure: no store, no clock (time comes in as `now`).
import type { SeatSummary, LineSeats, ProductSeats } from '../../shared/api/assignments.js';
import { SeatkeeperError } from '../../shared/errors.js';
import type { Contract, ContractLine, OrgDoc } from './model.js';

export function isContractActive(c: Pick<Contract, 'startsAt' | 'endsAt'>, now: number): boolean {
  return c.startsAt <= now && now < c.endsAt;
}

export interface LineRef {
  contract: Contract;
  line: ContractLine;
}

export function findLine(doc: OrgDoc, lineId: string): LineRef | undefined {
  for (const contract of Object.values(doc.contracts)) {
    const line = contract.lines.find((l) => l.id === lineId);
    if (line) return { contract, line };
  }
  return undefined;
}

export function requireLine(doc: OrgDoc, lineId: string): LineRef {
  const ref = findLine(doc, lineId);
  if (!ref) throw new SeatkeeperError('NOT_FOUND', 'No such contract line.');
  return ref;
}

/** line id → number of assignments */
export function assignedByLine(doc: OrgDoc): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of Object.values(doc.assignments)) out.set(a.lineId, (out.get(a.lineId) ?? 0) + 1);
  return out;
}

export function assignedCount(doc: OrgDoc, lineId: string): number {
  let n = 0;
  for (const a of Object.values(doc.assignments)) if (a.lineId === lineId) n++;
  return n;
}

/**
 * Seats per line and per product. Products aggregate the lines of active contracts only; lines
 * of contracts that have not started or have ended are listed with `active: false`.
 * `free` is owned − assigned and never negative; on a serial line a seat is taken by each device
 * holding a valid serial lease (online or not), so there free is owned − max(assigned, leases).
 * `inUse` comes from live presence.
 */
export function seatSummary(doc: OrgDoc, inUseByLine: Record<string, number>, now: number): SeatSummary {
  const assigned = assignedByLine(doc);
  const serialHeld = new Map<string, number>();
  for (const l of Object.values(doc.leases)) {
    if (l.status === 'active' && l.method === 'serial' && l.expiresAt > now) serialHeld.set(l.lineId, (serialHeld.get(l.lineId) ?? 0) + 1);
  }
  const lines: LineSeats[] = [];
  const products = new Map<string, ProductSeats>();
  const contracts = Object.values(doc.contracts).sort((a, b) => a.number.localeCompare(b.number));
  for (const c of contracts) {
    const active = isContractActive(c, now);
    for (const l of c.lines) {
      const owned = l.seats;
      const taken = assigned.get(l.id) ?? 0;
      const inUse = inUseByLine[l.id] ?? 0;
      const used = l.method === 'serial' ? Math.max(taken, serialHeld.get(l.id) ?? 0) : taken;
      lines.push({
        lineId: l.id,
        contractId: c.id,
        contractNumber: c.number,
        productCode: l.productCode,
        method: l.method,
        active,
        owned,
        assigned: taken,
        inUse,
        free: Math.max(0, owned - used),
      });
      if (!active) continue;
      const p = doc.products[l.productCode];
      const agg = products.get(l.productCode) ?? {
        productCode: l.productCode,
        productName: p?.name ?? l.productCode,
        kind: p?.kind ?? 'desktop',
        owned: 0,
        assigned: 0,
        inUse: 0,
        free: 0,
      };
      agg.owned += owned;
      agg.assigned += taken;
      agg.inUse += inUse;
      agg.free += Math.max(0, owned - used);
      products.set(l.productCode, agg);
    }
  }
  return { products: [...products.values()].sort((a, b) => a.productCode.localeCompare(b.productCode)), lines };
}

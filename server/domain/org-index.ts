// Lookups over one organization document for entitlement work: leases by device, serial seats
// taken per line, who is assigned where, who is on which project.
//
// Why: the documents are plain records, and enumerating a record of 40 000 leases costs V8 tens
// of milliseconds, so "scan every lease for every device" is quadratic in practice. Two parts:
//   - leases, kept current by the code that writes leases (applyPlan, revokeLease callers pass
//     the index); only the gateway writes leases, so the gateway may keep one index per document;
//   - rights (assignments, teams, contract lines), which other parts of the server change: they
//     announce every such change with an `entitlements` event, and the gateway calls
//     refreshRights() before acting on one.
// A fresh `new OrgIndex(doc)` is always exact.
import type { Contract, ContractLine, Lease, OrgDoc } from '../store/types.js';

export class OrgIndex {
  readonly doc: OrgDoc;
  #lines: Array<{ contract: Contract; line: ContractLine }> = [];
  #lineById = new Map<string, { contract: Contract; line: ContractLine }>();
  #assigned = new Set<string>();
  #projects = new Map<string, Set<string>>();
  readonly #byDevice = new Map<string, Lease[]>();
  readonly #bySubject = new Map<string, Lease[]>();
  readonly #byLine = new Map<string, Lease[]>();
  /** line → device → jtis of its serial leases counted as holding a seat there */
  readonly #serialHolders = new Map<string, Map<string, Set<string>>>();

  constructor(doc: OrgDoc, now: number) {
    this.doc = doc;
    for (const l of Object.values(doc.leases)) this.added(l, now);
    this.refreshRights();
  }

  /** Re-reads assignments, teams and contract lines (after an `entitlements` event). */
  refreshRights(): void {
    const doc = this.doc;
    this.#lines = [];
    this.#lineById = new Map();
    for (const contract of Object.values(doc.contracts)) {
      for (const line of contract.lines) {
        this.#lines.push({ contract, line });
        this.#lineById.set(line.id, { contract, line });
      }
    }
    this.#assigned = new Set();
    for (const a of Object.values(doc.assignments)) this.#assigned.add(`${a.lineId}\n${a.accountId}`);
    this.#projects = new Map();
    for (const t of Object.values(doc.teams)) {
      for (const m of t.memberIds) {
        let set = this.#projects.get(m);
        if (!set) this.#projects.set(m, (set = new Set()));
        for (const c of t.contractIds) set.add(c);
      }
    }
  }

  get lines(): ReadonlyArray<{ contract: Contract; line: ContractLine }> {
    return this.#lines;
  }

  line(lineId: string): { contract: Contract; line: ContractLine } | undefined {
    return this.#lineById.get(lineId);
  }

  /** Every lease record of the device, any status. */
  leasesOf(deviceId: string): readonly Lease[] {
    return this.#byDevice.get(deviceId) ?? [];
  }

  liveLeasesOf(deviceId: string, now: number): Lease[] {
    return this.leasesOf(deviceId).filter((l) => l.status === 'active' && l.expiresAt > now);
  }

  /** Leases (any status) whose subject is the account, or "serial:<no>". */
  leasesOfSubject(subject: string): readonly Lease[] {
    return this.#bySubject.get(subject) ?? [];
  }

  /** Leases (any status) on the contract line. */
  leasesOnLine(lineId: string): readonly Lease[] {
    return this.#byLine.get(lineId) ?? [];
  }

  /**
   * How many devices hold a serial seat on the line. A lease that expires unrenewed keeps counting
   * until the index is rebuilt (the gateway does that every minute), never longer.
   */
  serialSeatsTaken(lineId: string): number {
    return this.#serialHolders.get(lineId)?.size ?? 0;
  }

  holdsSerialSeat(lineId: string, deviceId: string): boolean {
    return this.#serialHolders.get(lineId)?.has(deviceId) ?? false;
  }

  isAssigned(lineId: string, accountId: string): boolean {
    return this.#assigned.has(`${lineId}\n${accountId}`);
  }

  hasProject(accountId: string, contractId: string): boolean {
    return this.#projects.get(accountId)?.has(contractId) ?? false;
  }

  /** A lease was created (or found while building). */
  added(lease: Lease, now: number): void {
    push(this.#byDevice, lease.deviceId, lease);
    push(this.#bySubject, lease.subject, lease);
    push(this.#byLine, lease.lineId, lease);
    if (lease.method === 'serial' && lease.status === 'active' && lease.expiresAt > now && !this.doc.devices[lease.deviceId]?.revokedAt) {
      let byDevice = this.#serialHolders.get(lease.lineId);
      if (!byDevice) this.#serialHolders.set(lease.lineId, (byDevice = new Map()));
      let jtis = byDevice.get(lease.deviceId);
      if (!jtis) byDevice.set(lease.deviceId, (jtis = new Set()));
      jtis.add(lease.jti);
    }
  }

  /** A lease stops being live (revoked or superseded). */
  ending(lease: Lease): void {
    const byDevice = this.#serialHolders.get(lease.lineId);
    const jtis = byDevice?.get(lease.deviceId);
    if (!jtis?.delete(lease.jti)) return;
    if (jtis.size === 0) byDevice!.delete(lease.deviceId);
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

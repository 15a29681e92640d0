// Lookups over one organization document for a pass of entitlement work: leases by device, serial
// seats taken per line, who is assigned where, who is on which project. Built in one sweep
// (O(leases + assignments + teams)) and kept current by the pass's own lease changes, so a pass
// over N devices costs O(N), not O(N × leases). Built fresh per pass: nothing here can go stale.
import type { Contract, ContractLine, Lease, OrgDoc } from '../store/types.js';

export class OrgIndex {
  readonly doc: OrgDoc;
  readonly now: number;
  readonly lines: ReadonlyArray<{ contract: Contract; line: ContractLine }>;
  readonly #byDevice = new Map<string, Lease[]>();
  readonly #serialHolders = new Map<string, Map<string, number>>();
  readonly #assigned = new Set<string>();
  readonly #projects = new Map<string, Set<string>>();
  readonly #lineById = new Map<string, { contract: Contract; line: ContractLine }>();

  constructor(doc: OrgDoc, now: number) {
    this.doc = doc;
    this.now = now;
    const lines: Array<{ contract: Contract; line: ContractLine }> = [];
    for (const contract of Object.values(doc.contracts)) {
      for (const line of contract.lines) {
        lines.push({ contract, line });
        this.#lineById.set(line.id, { contract, line });
      }
    }
    this.lines = lines;
    for (const l of Object.values(doc.leases)) this.added(l);
    for (const a of Object.values(doc.assignments)) this.#assigned.add(`${a.lineId}\n${a.accountId}`);
    for (const t of Object.values(doc.teams)) {
      for (const m of t.memberIds) {
        let set = this.#projects.get(m);
        if (!set) this.#projects.set(m, (set = new Set()));
        for (const c of t.contractIds) set.add(c);
      }
    }
  }

  line(lineId: string): { contract: Contract; line: ContractLine } | undefined {
    return this.#lineById.get(lineId);
  }

  /** Every lease record of the device, any status. */
  leasesOf(deviceId: string): readonly Lease[] {
    return this.#byDevice.get(deviceId) ?? [];
  }

  liveLeasesOf(deviceId: string): Lease[] {
    return this.leasesOf(deviceId).filter((l) => l.status === 'active' && l.expiresAt > this.now);
  }

  /** Devices (not revoked) holding a live serial lease on the line. */
  serialHolders(lineId: string): Set<string> {
    const held = this.#serialHolders.get(lineId);
    const out = new Set<string>();
    if (held) for (const [deviceId, n] of held) if (n > 0 && !this.doc.devices[deviceId]?.revokedAt) out.add(deviceId);
    return out;
  }

  isAssigned(lineId: string, accountId: string): boolean {
    return this.#assigned.has(`${lineId}\n${accountId}`);
  }

  hasProject(accountId: string, contractId: string): boolean {
    return this.#projects.get(accountId)?.has(contractId) ?? false;
  }

  /** A lease was created (or found while building). */
  added(lease: Lease): void {
    let list = this.#byDevice.get(lease.deviceId);
    if (!list) this.#byDevice.set(lease.deviceId, (list = []));
    list.push(lease);
    if (this.#countsAsSerial(lease)) this.#bump(lease, 1);
  }

  /** A live lease is about to stop being live (call before changing its status). */
  ending(lease: Lease): void {
    if (this.#countsAsSerial(lease)) this.#bump(lease, -1);
  }

  #countsAsSerial(l: Lease): boolean {
    return l.method === 'serial' && l.status === 'active' && l.expiresAt > this.now;
  }

  #bump(l: Lease, by: number): void {
    let m = this.#serialHolders.get(l.lineId);
    if (!m) this.#serialHolders.set(l.lineId, (m = new Map()));
    m.set(l.deviceId, (m.get(l.deviceId) ?? 0) + by);
  }
}

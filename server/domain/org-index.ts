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
import type { Contract, ContractLine, Lease, OrgDoc } from './model.js';

/** What the store can say about recent writes: its change feed (server/store/change-feed.ts). */
export interface ChangeFeed {
  revision(collection: string): number;
  /** ids written after `rev`, or null: rebuild */
  since(collection: string, rev: number): string[] | null;
}

export class OrgIndex {
  readonly doc: OrgDoc;
  #lines: Array<{ contract: Contract; line: ContractLine }> = [];
  #lineById = new Map<string, { contract: Contract; line: ContractLine }>();
  /** assignment id → "line\naccount", and how many assignments each such pair has */
  #assignedById = new Map<string, string>();
  #assigned = new Map<string, number>();
  #projects = new Map<string, Set<string>>();
  /** device → what affectedDevices asks of it; and the reverse lookups */
  #deviceFacts = new Map<string, { signedIn: string | null; products: string[] }>();
  #bySignedIn = new Map<string, Set<string>>();
  #byProduct = new Map<string, Set<string>>();
  /** collection → the change-feed revision this index has caught up with (absent: never built) */
  readonly #rev = new Map<string, number>();
  readonly #byDevice = new Map<string, Lease[]>();
  readonly #bySubject = new Map<string, Lease[]>();
  readonly #byLine = new Map<string, Lease[]>();
  /** line → device → jtis of its serial leases counted as holding a seat there */
  readonly #serialHolders = new Map<string, Map<string, Set<string>>>();

  readonly #log: ChangeFeed | undefined;

  /** `log`: the store's record of writes to `doc`, so later refreshes read only what changed. */
  /** `withLeases` false: the rights only, the leases left to the caller (see `building`). */
  constructor(doc: OrgDoc, now: number, log?: ChangeFeed, withLeases = true) {
    this.doc = doc;
    this.#log = log;
    if (withLeases) for (const l of Object.values(doc.leases)) this.added(l, now);
    this.refreshRights();
  }

  /**
   * The same index as `new OrgIndex(doc, now)`, built in steps: it yields after every `chunk`
   * leases, so a caller running it sliced (runSliced) keeps the event loop turning through an
   * organization of tens of thousands of leases.
   */
  static *building(doc: OrgDoc, now: number, chunk = 512): Generator<void, OrgIndex> {
    const idx = new OrgIndex(doc, now, undefined, false);
    let n = 0;
    for (const l of Object.values(doc.leases)) {
      idx.added(l, now);
      if (++n % chunk === 0) yield;
    }
    return idx;
  }

  /**
   * Re-reads assignments, teams and contract lines (after an `entitlements` event). With the
   * store's record of recent writes, only what changed is re-read; without it, all of them.
   */
  refreshRights(): void {
    const doc = this.doc;
    this.#catchUp('contracts', null, () => {
      this.#lines = [];
      this.#lineById = new Map();
      for (const contract of Object.values(doc.contracts)) {
        for (const line of contract.lines) {
          this.#lines.push({ contract, line });
          this.#lineById.set(line.id, { contract, line });
        }
      }
    });
    this.#catchUp(
      'assignments',
      (id) => {
        const old = this.#assignedById.get(id);
        if (old !== undefined) {
          this.#assignedById.delete(id);
          const n = (this.#assigned.get(old) ?? 1) - 1;
          if (n > 0) this.#assigned.set(old, n);
          else this.#assigned.delete(old);
        }
        const a = doc.assignments[id];
        if (a) {
          const key = `${a.lineId}\n${a.accountId}`;
          this.#assignedById.set(id, key);
          this.#assigned.set(key, (this.#assigned.get(key) ?? 0) + 1);
        }
      },
      () => {
        this.#assignedById = new Map();
        this.#assigned = new Map();
      },
    );
    this.#catchUp('teams', null, () => {
      this.#projects = new Map();
      for (const t of Object.values(doc.teams)) {
        for (const m of t.memberIds) {
          let set = this.#projects.get(m);
          if (!set) this.#projects.set(m, (set = new Set()));
          for (const c of t.contractIds) set.add(c);
        }
      }
    });
  }

  /**
   * Brings one collection's part of the index up to date: record by record through `one` when the
   * log knows what changed, else `reset` and every record through `one` (or `reset` alone when
   * `one` is null: it rebuilds the whole part itself).
   */
  #catchUp(k: 'contracts' | 'assignments' | 'teams' | 'devices', one: ((id: string) => void) | null, reset: () => void): void {
    const log = this.#log;
    const have = this.#rev.get(k);
    const ids = log && have !== undefined ? log.since(k, have) : null;
    if (ids && ids.length === 0) return;
    if (ids && one) {
      for (const id of new Set(ids)) one(id);
    } else {
      reset();
      if (one) for (const id of Object.keys(this.doc[k])) one(id);
    }
    if (log) this.#rev.set(k, log.revision(k));
    else this.#rev.delete(k);
  }

  /**
   * Devices signed in as one of `accounts` or with one of `products` installed. Kept from the
   * store's record of device writes; without it, read afresh.
   */
  devicesFor(accounts: ReadonlySet<string>, products: ReadonlySet<string>): Set<string> {
    this.#catchUp(
      'devices',
      (id) => {
        const old = this.#deviceFacts.get(id);
        if (old) {
          if (old.signedIn) this.#bySignedIn.get(old.signedIn)?.delete(id);
          for (const p of old.products) this.#byProduct.get(p)?.delete(id);
          this.#deviceFacts.delete(id);
        }
        const d = this.doc.devices[id];
        if (!d) return;
        const facts = { signedIn: d.signedInAccountId, products: [...new Set(d.inventory.map((i) => i.productCode))] };
        this.#deviceFacts.set(id, facts);
        if (facts.signedIn) addTo(this.#bySignedIn, facts.signedIn, id);
        for (const p of facts.products) addTo(this.#byProduct, p, id);
      },
      () => {
        this.#deviceFacts = new Map();
        this.#bySignedIn = new Map();
        this.#byProduct = new Map();
      },
    );
    const out = new Set<string>();
    for (const a of accounts) for (const id of this.#bySignedIn.get(a) ?? []) out.add(id);
    for (const p of products) for (const id of this.#byProduct.get(p) ?? []) out.add(id);
    return out;
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

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const set = m.get(k);
  if (set) set.add(v);
  else m.set(k, new Set([v]));
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

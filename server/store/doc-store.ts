// The Store implementation shared by the lowdb (file) and memory back ends: documents in memory,
// the transaction context, and commit of every document a transaction touched (committed-doc.ts).
import { SeatkeeperError } from '../../shared/errors.js';
import type { AuditQuery, Store, TxContext } from './store.js';
import type { ChangeFeed } from './change-feed.js';
import { CommittedDoc, type CommitOptions, type OnDisk } from './committed-doc.js';
import type { Persister } from './persisters.js';
import { SerializeGate } from './serialize-gate.js';
import { emptyGlobalDoc, type AuditEvent, type GlobalDoc, type OrgDoc } from '../domain/model.js';

export interface Backend {
  loadGlobal(): Promise<{ data: GlobalDoc; disk: OnDisk } | null>;
  loadOrgs(): Promise<Array<{ data: OrgDoc; disk: OnDisk }>>;
  globalPersister(): Persister;
  orgPersister(orgId: string): Persister;
  readAudit(orgId: string): Promise<AuditEvent[]>;
  close(): Promise<void>;
}

export class DocStore implements Store {
  #global!: CommittedDoc<GlobalDoc>;
  readonly #orgs = new Map<string, CommittedDoc<OrgDoc>>();
  readonly #backend: Backend;
  readonly #gate = new SerializeGate();
  readonly #options: Partial<CommitOptions>;
  #closed = false;

  constructor(backend: Backend, options: Partial<CommitOptions> = {}) {
    this.#backend = backend;
    this.#options = options;
  }

  async open(): Promise<void> {
    const g = await this.#backend.loadGlobal();
    const data = g?.data ?? emptyGlobalDoc();
    this.#global = new CommittedDoc(this.#backend.globalPersister(), data, g?.disk ?? { text: JSON.stringify(data), journal: [], seq: 0, unwritten: true }, this.#gate, this.#options);
    for (const o of await this.#backend.loadOrgs()) {
      this.#orgs.set(o.data.org.id, new CommittedDoc(this.#backend.orgPersister(o.data.org.id), o.data, o.disk, this.#gate, this.#options));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#global?.settled();
    for (const d of this.#orgs.values()) await d.settled();
    await this.#backend.close();
  }

  global(): GlobalDoc {
    return this.#global.data;
  }

  org(orgId: string): OrgDoc | undefined {
    return this.#orgs.get(orgId)?.data;
  }

  changeFeed(orgId: string): ChangeFeed | undefined {
    return this.#orgs.get(orgId)?.changeFeed;
  }

  orgIds(): string[] {
    return [...this.#orgs.keys()];
  }

  async tx<T>(fn: (t: TxContext) => T): Promise<T> {
    if (this.#closed) throw new SeatkeeperError('STORAGE_UNAVAILABLE', 'The store is closed.');
    // While a document is being serialized, changes wait (a few ms) so the snapshot stays whole.
    while (this.#gate.closed) await this.#gate.wait();
    // Each touched document, with how many audit lines it had queued when first touched. Writes
    // made through the view it hands out are recorded by the document for its next flush.
    const touched = new Map<CommittedDoc<object>, { mark: number; view: object }>();
    const touch = <D extends object>(d: CommittedDoc<D>): D => {
      const doc = d as unknown as CommittedDoc<object>;
      let t = touched.get(doc);
      if (!t) touched.set(doc, (t = { mark: doc.auditQueued, view: doc.tracked() }));
      return t.view as D;
    };
    const created: string[] = [];
    const ctx: TxContext = {
      global: () => touch(this.#global),
      org: (orgId) => {
        const d = this.#orgs.get(orgId);
        return d ? touch(d) : undefined;
      },
      createOrg: (doc) => {
        if (this.#orgs.has(doc.org.id)) throw new Error(`organization ${doc.org.id} exists`);
        const d = new CommittedDoc(this.#backend.orgPersister(doc.org.id), doc, 'null', this.#gate, this.#options);
        this.#orgs.set(doc.org.id, d);
        created.push(doc.org.id);
        return touch(d);
      },
      audit: (event) => {
        const d = this.#orgs.get(event.orgId);
        if (!d) throw new Error(`audit for unknown organization ${event.orgId}`);
        touch(d);
        d.queueAudit(JSON.stringify(event) + '\n');
      },
    };
    let result: T;
    try {
      result = fn(ctx);
    } catch (err) {
      // A refused transaction leaves no audit event and no new organization behind (the function
      // runs synchronously, so nothing else queued lines meanwhile). Changes to existing documents
      // are the function's to avoid (domain code validates before it mutates); any it did make are
      // recorded all the same, so memory and disk still agree after the next flush.
      for (const [d, t] of touched) d.dropAuditFrom(t.mark);
      for (const id of created) this.#orgs.delete(id);
      throw err;
    }
    try {
      await Promise.all([...touched.keys()].map((d) => d.commit()));
    } catch (err) {
      this.#dropUnwrittenOrgs();
      throw new SeatkeeperError('STORAGE_UNAVAILABLE', 'The change could not be saved; nothing was changed. Try again shortly.', {
        cause: err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err),
      });
    }
    return result;
  }

  /** An organization created in a failed transaction reverts to `null`: forget it entirely. */
  #dropUnwrittenOrgs(): void {
    for (const [id, d] of this.#orgs) if (d.data === null) this.#orgs.delete(id);
  }

  async queryAudit(orgId: string, q: AuditQuery): Promise<AuditEvent[]> {
    const all = await this.#backend.readAudit(orgId);
    const out = all.filter(
      (e) =>
        (q.from === undefined || e.at >= q.from) &&
        (q.to === undefined || e.at <= q.to) &&
        (q.actor === undefined || e.actor === q.actor) &&
        (q.target === undefined || e.target === q.target) &&
        (q.action === undefined || e.action === q.action),
    );
    out.reverse(); // newest first
    return out.slice(0, q.limit ?? 200);
  }
}

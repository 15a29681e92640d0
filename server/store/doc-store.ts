// The Store implementation shared by the lowdb (file) and memory back ends: documents in memory,
// the transaction context, and the batches that commit them (committed-doc.ts). Transactions that
// arrive while a batch is written wait for it, then join the next: one batch is one commit, every
// document it changed and their audit events together. A journaled batch commits when the line of
// every document it changed is durable (each line names the others, see journal.ts); the audit log
// files are written after; a failure takes every written line back out and memory back to disk.
import { SeatkeeperError } from '../../shared/errors.js';
import type { AuditQuery, RemoteRecords, Store, TxContext } from './store.js';
import type { ChangeFeed } from './change-feed.js';
import { CommittedDoc, type CommitOptions, type OnDisk, type Prepared } from './committed-doc.js';
import type { Persister } from './persisters.js';
import { SerializeGate } from './serialize-gate.js';
import { emptyGlobalDoc, type AuditEvent, type GlobalDoc, type OrgDoc } from '../domain/model.js';

export interface Loaded {
  global: { data: GlobalDoc; disk: OnDisk } | null;
  orgs: Array<{ data: OrgDoc; disk: OnDisk }>;
  /** the number of the last batch on disk */
  batch: number;
}

export interface Backend {
  load(): Promise<Loaded>;
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
  #batch = 0;
  #queue: Array<{ docs: Set<CommittedDoc<object>>; resolve(): void; reject(err: unknown): void }> = [];
  #running: Promise<void> | null = null;

  constructor(backend: Backend, options: Partial<CommitOptions> = {}) {
    this.#backend = backend;
    this.#options = options;
  }

  async open(): Promise<void> {
    const loaded = await this.#backend.load();
    const g = loaded.global;
    const data = g?.data ?? emptyGlobalDoc();
    this.#batch = loaded.batch;
    this.#global = new CommittedDoc(GLOBAL_ID, this.#backend.globalPersister(), data, g?.disk ?? { text: JSON.stringify(data), journal: [], seq: 0, unwritten: true }, this.#gate, this.#options);
    for (const o of loaded.orgs) {
      this.#orgs.set(o.data.org.id, new CommittedDoc(o.data.org.id, this.#backend.orgPersister(o.data.org.id), o.data, o.disk, this.#gate, this.#options));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#running) await this.#running;
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

  /** One process owns the data directory: nothing changes it from elsewhere. */
  onRemoteChange(_listener: (orgIds: string[], records: ReadonlyMap<string, RemoteRecords>) => void): () => void {
    return () => {};
  }

  /** The only node there is. */
  isLeader(): boolean {
    return true;
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
        const d = new CommittedDoc(doc.org.id, this.#backend.orgPersister(doc.org.id), doc, 'null', this.#gate, this.#options);
        this.#orgs.set(doc.org.id, d);
        created.push(doc.org.id);
        return touch(d);
      },
      audit: (event) => {
        const d = this.#orgs.get(event.orgId);
        if (!d) throw new Error(`audit for unknown organization ${event.orgId}`);
        touch(d);
        d.queueAudit(event);
      },
    };
    let result: T;
    try {
      result = fn(ctx);
    } catch (err) {
      // A refused transaction leaves no audit event and no new organization behind (the function
      // runs synchronously, so nothing else queued lines meanwhile). Changes to existing documents
      // are the function's to avoid (domain code validates before it mutates); any it did make are
      // recorded all the same, so memory and disk still agree after the next commit.
      for (const [d, t] of touched) d.dropAuditFrom(t.mark);
      for (const id of created) this.#orgs.delete(id);
      throw err;
    }
    try {
      await new Promise<void>((resolve, reject) => {
        this.#queue.push({ docs: new Set(touched.keys()), resolve, reject });
        // Every transaction that arrives in this turn of the event loop joins the same batch.
        this.#running ??= new Promise<void>((done) => setImmediate(() => void this.#drain().finally(done)));
      });
    } catch (err) {
      throw new SeatkeeperError('STORAGE_UNAVAILABLE', 'The change could not be saved; nothing was changed. Try again shortly.', {
        cause: err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err),
      });
    }
    return result;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const waiters = this.#queue.splice(0);
      const docs = new Set<CommittedDoc<object>>();
      for (const w of waiters) for (const d of w.docs) if (d.dirty) docs.add(d);
      const batch = ++this.#batch;
      const ids = [...docs].map((d) => d.id);
      const prepared: Prepared[] = [];
      // Transactions wait while the batch is written: memory then holds only committed state
      // between batches, so a failure rolls back just this batch and a snapshot is always clean.
      this.#gate.hold();
      let failure: unknown;
      try {
        for (const d of docs) prepared.push(d.prepare(batch, ids));
        await this.#write(prepared);
        for (const p of prepared) p.doc.committed(p, batch);
      } catch (err) {
        failure = err;
        for (const p of prepared) await p.doc.undo(p).catch(() => {});
        for (const d of docs) d.rollback();
        this.#dropUnwrittenOrgs();
      }
      try {
        // A grown journal (or a new document's first line) becomes a snapshot now, while memory
        // holds exactly what is committed. A failed snapshot leaves the journal in charge.
        if (failure === undefined) for (const d of docs) await d.compact().catch(() => {});
      } finally {
        this.#gate.release();
      }
      for (const w of waiters) {
        if (failure === undefined) w.resolve();
        else w.reject(failure);
      }
      // Let the transactions that waited run and queue before the next batch is taken.
      await new Promise((r) => setImmediate(r));
    }
    this.#running = null;
  }

  /** Every line first (the commit point), then the audit files, then whole documents. */
  async #write(prepared: Prepared[]): Promise<void> {
    await settleAll(prepared.map((p) => p.doc.writeLine(p)));
    await settleAll(prepared.map((p) => p.doc.writeAudit(p)));
    await settleAll(prepared.map((p) => p.doc.writeWhole(p)));
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

const GLOBAL_ID = 'global';

/** Waits for every write (so each one's undo is recorded), then throws the first failure. */
async function settleAll(writes: Array<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(writes);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

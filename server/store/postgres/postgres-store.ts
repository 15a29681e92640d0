// The Store on PostgreSQL. Documents are held in memory, as in the embedded store, so the domain
// stays synchronous: a transaction's function runs on memory, then the batch it joined is written
// in one database transaction: per document it changed, one change record with the next sequence
// number (unique per document), its rows brought up to date, and its audit rows. Two nodes that
// commit to the same document race for the same (doc_id, seq): the loser's insert conflicts, so it
// takes its batch back out of memory, reads the records it missed, and runs the batch's functions
// again on the new state (that is how the seat limit holds across nodes). Documents the batch only
// read are checked to be unchanged, under a share lock, in the same transaction.
//
// Several nodes: after each commit a node sends a tiny NOTIFY (outside the write transaction:
// NOTIFY takes a cluster-wide lock at commit). Every node LISTENs, and also polls the documents'
// sequence numbers, so a lost notification costs at most one poll interval; either way it reads
// the change records it missed, in order, between its own batches, and tells its listeners which
// organizations changed (the gateway's indexes follow the change feed). Cluster jobs run on one
// leader: the node that holds a session advisory lock, which PostgreSQL drops with the leader's
// connection, so another node takes over at its next poll.
import { SeatkeeperError } from '../../../shared/errors.js';
import type { AuditEvent, GlobalDoc, OrgDoc } from '../../domain/model.js';
import { emptyGlobalDoc } from '../../domain/model.js';
import type { AuditQuery, RemoteRecords, SharedDeviceCodes, Store, TxContext } from '../store.js';
import { postgresDeviceCodes } from './device-codes.js';
import type { ChangeFeed } from '../change-feed.js';
import type { Change } from '../changes.js';
import { applyChangeRows, insertDoc, loadDocs, wholeDocChanges } from './doc-rows.js';
import { LiveDoc } from './live-doc.js';
import { requireCurrentSchema } from './migrations.js';
import { createPool, inTransaction, isConflict, type PoolOptions, type SqlClient, type SqlPool } from './sql.js';
import { readOrCreateSecret, updateSecretInPool } from './secrets.js';

export interface PostgresStoreOptions {
  /** how many times a batch is planned again after losing a race before its callers are told to retry */
  maxAttempts: number;
  /** how often a node checks for commits made elsewhere, notifications aside (0: never) */
  pollMs: number;
  /** wake on other nodes' notifications */
  listen: boolean;
  /** stand for leader (run the cluster's jobs); tools that only read the database do not */
  lead: boolean;
  /**
   * change records kept per document for nodes catching up; older ones are deleted as commits go
   * on (a node further behind loads the document whole instead)
   */
  keepChanges: number;
}

export const postgresStoreDefaults: PostgresStoreOptions = { maxAttempts: 20, pollMs: 1000, listen: true, lead: true, keepChanges: 10_000 };

const CHANNEL = 'seatkeeper_changes';
/** Nodes waking each other for what is not a commit (lease keys rotated, devices came and went): "node:topic". */
export const SIGNAL_CHANNEL = 'seatkeeper_signals';
/** advisory lock key of the cluster's leader ("SKLEADER" as a number) */
const LEADER_LOCK = 0x534b4c44;

const GLOBAL = 'global';

interface Item {
  fn: (t: TxContext) => unknown;
  resolve(v: unknown): void;
  reject(err: unknown): void;
  /** the outcome of the last run */
  result?: { ok: true; value: unknown } | { ok: false; error: unknown };
  audit: AuditEvent[];
}

export class PostgresStore implements Store {
  readonly #pool: SqlPool;
  readonly #options: PostgresStoreOptions;
  #global!: LiveDoc<GlobalDoc>;
  readonly #orgs = new Map<string, LiveDoc<OrgDoc>>();
  #queue: Item[] = [];
  #running = false;
  #idle: Promise<void> = Promise.resolve();
  #closed = false;
  /** other nodes committed (or may have): read their records before the next batch */
  #syncWanted = false;
  /** a poll came round: a node that does not lead tries for the lock (not on every notification) */
  #leadDue = false;
  #poll: NodeJS.Timeout | undefined;
  #listener: SqlClient | undefined;
  /** the connection holding the leader lock, when this node leads */
  #leader: SqlClient | undefined;
  readonly #nodeId = Math.random().toString(36).slice(2, 10);
  readonly #remoteListeners = new Set<(orgIds: string[], records: ReadonlyMap<string, RemoteRecords>) => void>();
  readonly #signalListeners = new Set<(topic: string) => void>();
  readonly deviceCodes: SharedDeviceCodes;

  constructor(pool: SqlPool, options: Partial<PostgresStoreOptions> = {}) {
    this.#pool = pool;
    this.#options = { ...postgresStoreDefaults, ...options };
    this.deviceCodes = postgresDeviceCodes(pool);
  }

  async open(): Promise<void> {
    await requireCurrentSchema(this.#pool);
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      let docs = await loadDocs(client);
      await client.query('COMMIT');
      if (!docs.has(GLOBAL)) {
        // The first node on an empty database writes the global document; a node that loses
        // that race reads what the winner wrote.
        await inTransaction(client, async () => {
          const r = await client.query(`INSERT INTO sk_docs (doc_id, kind, seq) VALUES ($1, 'global', 0) ON CONFLICT DO NOTHING`, [GLOBAL]);
          if (r.rowCount === 1) await insertDoc(client, GLOBAL, emptyGlobalDoc());
        });
        docs = await loadDocs(client);
      }
      const g = docs.get(GLOBAL)!;
      this.#global = new LiveDoc(g.data as unknown as GlobalDoc, g.seq);
      for (const [id, d] of docs) if (d.kind === 'org') this.#orgs.set(id, new LiveDoc(d.data as unknown as OrgDoc, d.seq));
      client.release();
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    if (this.#options.pollMs > 0) {
      this.#poll = setInterval(() => {
        this.#leadDue = true;
        this.#wantSync();
      }, this.#options.pollMs);
      this.#poll.unref();
    }
    if (this.#options.listen) await this.#listen().catch(() => {});
    await this.#tryLead().catch(() => {});
  }

  isLeader(): boolean {
    return this.#leader !== undefined;
  }

  async #tryLead(): Promise<void> {
    if (this.#leader || this.#closed || !this.#options.lead) return;
    const client = await this.#pool.connect();
    let held = false;
    try {
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK]);
      held = r.rows[0]?.ok === true;
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    if (!held) {
      client.release();
      return;
    }
    client.on?.('error', () => {
      // The connection is gone, and the lock with it: another node may lead now.
      if (this.#leader === client) this.#leader = undefined;
      client.release(true);
    });
    this.#leader = client;
  }

  async clusterSecret(name: string, create: () => string): Promise<string> {
    // Two nodes starting together: one insert wins, and both read the winner's value.
    try {
      return await readOrCreateSecret(this.#pool, name, create);
    } catch (err) {
      throw new SeatkeeperError('STORAGE_UNAVAILABLE', `The cluster's ${name} cannot be read right now.`, { cause: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    }
  }

  async updateClusterSecret(name: string, update: (current: string | undefined) => string): Promise<string> {
    try {
      return await updateSecretInPool(this.#pool, name, update);
    } catch (err) {
      throw new SeatkeeperError('STORAGE_UNAVAILABLE', `The cluster's ${name} cannot be changed right now.`, { cause: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    }
  }

  signal(topic: string): void {
    if (this.#closed) return;
    this.#pool.query('SELECT pg_notify($1, $2)', [SIGNAL_CHANNEL, `${this.#nodeId}:${topic}`]).catch(() => {});
  }

  onSignal(listener: (topic: string) => void): () => void {
    this.#signalListeners.add(listener);
    return () => this.#signalListeners.delete(listener);
  }

  async sharePresence(online: ReadonlyMap<string, readonly string[]>, freshForMs: number): Promise<Map<string, Set<string>>> {
    const client = await this.#pool.connect();
    let r;
    try {
      r = await inTransaction(client, async () => {
        // This node's rows replaced whole; rows no node refreshed for a long while (dead nodes) go.
        await client.query(`DELETE FROM sk_presence WHERE node_id = $1 OR seen_at < now() - make_interval(secs => $2)`, [this.#nodeId, (freshForMs * 10) / 1000]);
        if (online.size > 0) {
          await client.query(`INSERT INTO sk_presence (node_id, org_id, device_ids) SELECT $1, o.key, o.value FROM json_each($2::json) AS o`, [
            this.#nodeId,
            JSON.stringify(Object.fromEntries(online)),
          ]);
        }
        return client.query<{ org_id: string; device_ids: string[] }>(
          `SELECT org_id, device_ids FROM sk_presence WHERE node_id <> $1 AND seen_at > now() - make_interval(secs => $2)`,
          [this.#nodeId, freshForMs / 1000],
        );
      });
      client.release();
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    const out = new Map<string, Set<string>>();
    for (const row of r.rows) {
      let set = out.get(row.org_id);
      if (!set) out.set(row.org_id, (set = new Set()));
      for (const id of row.device_ids) set.add(id);
    }
    return out;
  }

  /** Calls `listener` with the organizations whose documents changed on another node, once read in. */
  onRemoteChange(listener: (orgIds: string[], records: ReadonlyMap<string, RemoteRecords>) => void): () => void {
    this.#remoteListeners.add(listener);
    return () => this.#remoteListeners.delete(listener);
  }

  async #listen(): Promise<void> {
    const client = await this.#pool.connect();
    if (!client.on) {
      client.release();
      return;
    }
    client.on('notification', (msg) => {
      if (msg.channel === CHANNEL && msg.payload !== this.#nodeId) this.#wantSync();
      if (msg.channel === SIGNAL_CHANNEL && msg.payload && !msg.payload.startsWith(`${this.#nodeId}:`)) {
        const topic = msg.payload.slice(msg.payload.indexOf(':') + 1);
        for (const l of this.#signalListeners) {
          try {
            l(topic);
          } catch {
            // a listener's failure is its own
          }
        }
      }
    });
    client.on('error', () => {
      // The connection died (the database restarted): polling goes on, and the next poll listens again.
      if (this.#listener === client) this.#listener = undefined;
      client.release(true);
    });
    await client.query(`LISTEN ${CHANNEL}`);
    await client.query(`LISTEN ${SIGNAL_CHANNEL}`);
    this.#listener = client;
  }

  #wantSync(): void {
    if (this.#closed) return;
    this.#syncWanted = true;
    this.#start();
  }

  #start(): void {
    if (this.#running) return;
    this.#running = true;
    // Every transaction that arrives in this turn of the event loop joins the same batch.
    this.#idle = new Promise<void>((done) => setImmediate(() => void this.#drain().finally(done)));
  }

  /** Reads in what other nodes committed: newer change records, and organizations new to this node. */
  async #sync(): Promise<void> {
    if (this.#options.listen && !this.#listener) await this.#listen().catch(() => {});
    // Once a poll interval is enough for a takeover; a round trip more on every notification would
    // delay each change another node made on its way to the agents connected here.
    if (this.#leadDue || this.#options.pollMs <= 0) {
      this.#leadDue = false;
      await this.#tryLead().catch(() => {});
    }
    const r = await this.#pool.query<{ doc_id: string; kind: string; seq: string }>('SELECT doc_id, kind, seq FROM sk_docs');
    const behind: string[] = [];
    const fresh: string[] = [];
    for (const row of r.rows) {
      const doc = row.doc_id === GLOBAL ? (this.#global as LiveDoc<object>) : this.#orgs.get(row.doc_id);
      if (!doc) {
        if (row.kind === 'org') fresh.push(row.doc_id);
      } else if (Number(row.seq) > doc.seq) behind.push(row.doc_id);
    }
    if (behind.length === 0 && fresh.length === 0) return;
    await this.#catchUp(behind);
    if (fresh.length > 0) {
      const told = new Map<string, RemoteRecords>();
      const client = await this.#pool.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const docs = await loadDocs(client, fresh);
        await client.query('COMMIT');
        client.release();
        for (const [id, d] of docs) {
          if (this.#orgs.has(id)) continue;
          this.#orgs.set(id, new LiveDoc(d.data as unknown as OrgDoc, d.seq));
          told.set(id, 'whole');
        }
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
      this.#tell(told);
    }
  }

  /** Tells the listeners what other nodes wrote, once it is in memory (a listener's throw stays its own). */
  #tell(records: Map<string, RemoteRecords>): void {
    records.delete(GLOBAL);
    if (records.size === 0) return;
    const orgIds = [...records.keys()];
    for (const l of this.#remoteListeners) {
      try {
        l(orgIds, records);
      } catch {
        // a listener's failure is its own; the store and the other listeners go on
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#poll);
    await this.#idle;
    this.#listener?.release(true);
    this.#listener = undefined;
    this.#leader?.release(true);
    this.#leader = undefined;
    await this.#pool.end();
  }

  global(): GlobalDoc {
    return this.#global.data;
  }

  org(orgId: string): OrgDoc | undefined {
    return this.#orgs.get(orgId)?.data;
  }

  orgIds(): string[] {
    return [...this.#orgs.keys()];
  }

  changeFeed(orgId: string): ChangeFeed | undefined {
    return this.#orgs.get(orgId)?.feed;
  }

  tx<T>(fn: (t: TxContext) => T): Promise<T> {
    if (this.#closed) return Promise.reject(new SeatkeeperError('STORAGE_UNAVAILABLE', 'The store is closed.'));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, audit: [] });
      this.#start();
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#syncWanted) {
      if (this.#syncWanted) {
        this.#syncWanted = false;
        // The database unreachable: the next poll tries again; transactions find out for themselves.
        await this.#sync().catch(() => {});
      }
      if (this.#queue.length === 0) continue;
      const batch = this.#queue;
      this.#queue = [];
      if (await this.#commitBatch(batch)) {
        // Outside the write transaction: a tiny payload, only to wake the other nodes.
        this.#pool.query('SELECT pg_notify($1, $2)', [CHANNEL, this.#nodeId]).catch(() => {});
      }
    }
    this.#running = false;
  }

  /** Commits the batch; true when it wrote to the database. */
  async #commitBatch(batch: Item[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const run = this.#run(batch);
      const written = [...run.touched].filter(([, t]) => t.created || t.doc.pending() !== null || t.audit);
      if (written.length === 0) {
        this.#settle(run);
        for (const item of batch) this.#answer(item);
        return false;
      }
      let client: SqlClient | undefined;
      try {
        client = await this.#pool.connect();
        await this.#write(client, run);
        client.release();
      } catch (err) {
        client?.release(isConflict(err) ? undefined : (err as Error));
        this.#undo(run);
        if (isConflict(err) && attempt < this.#options.maxAttempts) {
          // Another node committed first: read what it wrote, then plan the batch again.
          await this.#catchUp([...run.touched.keys()].filter((id) => !run.touched.get(id)!.created)).catch(() => {});
          continue;
        }
        const failure = isConflict(err)
          ? new SeatkeeperError('STORAGE_UNAVAILABLE', 'Too many concurrent changes to the same organization; try again shortly.')
          : new SeatkeeperError('STORAGE_UNAVAILABLE', 'The change could not be saved; nothing was changed. Try again shortly.', {
              cause: err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err),
            });
        for (const item of batch) item.reject(failure);
        return false;
      }
      this.#settle(run);
      for (const item of batch) this.#answer(item);
      return true;
    }
  }

  #answer(item: Item): void {
    const r = item.result!;
    if (r.ok) item.resolve(r.value);
    else item.reject(r.error);
  }

  /** Runs every function of the batch on memory, in order; a function that throws leaves nothing behind. */
  #run(batch: Item[]): Run {
    const touched = new Map<string, Touched>();
    const docOf = (id: string, doc: LiveDoc<object>, created = false): Touched => {
      let t = touched.get(id);
      if (!t) touched.set(id, (t = { doc, view: null, created, audit: false }));
      return t;
    };
    for (const item of batch) {
      item.audit = [];
      const marks = new Map<Touched, number>();
      const createdHere: string[] = [];
      const touch = (id: string, doc: LiveDoc<object>, created = false): object => {
        const t = docOf(id, doc, created);
        if (!marks.has(t)) marks.set(t, t.doc.begin());
        t.view ??= t.doc.tracked();
        return t.view;
      };
      const ctx: TxContext = {
        global: () => touch(GLOBAL, this.#global as LiveDoc<object>) as GlobalDoc,
        org: (orgId) => {
          const d = this.#orgs.get(orgId);
          return d ? (touch(orgId, d as LiveDoc<object>) as OrgDoc) : undefined;
        },
        createOrg: (doc) => {
          const id = doc.org.id;
          if (this.#orgs.has(id)) throw new Error(`organization ${id} exists`);
          const d = new LiveDoc<OrgDoc>(doc, 0);
          this.#orgs.set(id, d);
          createdHere.push(id);
          return touch(id, d as LiveDoc<object>, true) as OrgDoc;
        },
        audit: (event) => {
          const d = this.#orgs.get(event.orgId);
          if (!d) throw new Error(`audit for unknown organization ${event.orgId}`);
          touch(event.orgId, d as LiveDoc<object>);
          item.audit.push(event);
        },
      };
      try {
        item.result = { ok: true, value: item.fn(ctx) };
        for (const e of item.audit) touched.get(e.orgId)!.audit = true;
      } catch (error) {
        item.result = { ok: false, error };
        item.audit = [];
        for (const [t, mark] of marks) t.doc.undoTo(mark);
        for (const id of createdHere) {
          this.#orgs.delete(id);
          touched.delete(id);
        }
      }
    }
    return { batch, touched };
  }

  async #write(client: SqlClient, run: Run): Promise<void> {
    await inTransaction(client, async () => {
      const readOnly: Array<[string, number]> = [];
      for (const [id, t] of run.touched) {
        if (t.created) {
          await client.query(`INSERT INTO sk_docs (doc_id, kind, seq) VALUES ($1, 'org', 1)`, [id]);
          await client.query('INSERT INTO sk_changes (doc_id, seq, changes) VALUES ($1, 1, $2::json)', [id, JSON.stringify(wholeDocChanges(t.doc.data))]);
          await insertDoc(client, id, t.doc.data);
          t.newSeq = 1;
          continue;
        }
        const changes = t.doc.pending();
        if (changes === null) {
          readOnly.push([id, t.doc.seq]);
          continue;
        }
        const seq = t.doc.seq + 1;
        // The conflict point: the document's row moves from our number to the next only if no other
        // node moved it first (a second node waits on the row lock, then finds it moved). The change
        // record's key (doc_id, seq) says the same, as long as older records are not pruned.
        const moved = await client.query('UPDATE sk_docs SET seq = $2 WHERE doc_id = $1 AND seq = $3', [id, seq, seq - 1]);
        if (moved.rowCount !== 1) throw Object.assign(new Error(`${id} moved on meanwhile`), { code: '23505' });
        await client.query('INSERT INTO sk_changes (doc_id, seq, changes) VALUES ($1, $2, $3::json)', [id, seq, JSON.stringify(changes)]);
        await applyChangeRows(client, id, changes);
        t.newSeq = seq;
        // Now and then, the records no node should still need go (cheap: by primary key).
        const keep = this.#options.keepChanges;
        if (seq % Math.max(1, Math.floor(keep / 10)) === 0) await client.query('DELETE FROM sk_changes WHERE doc_id = $1 AND seq <= $2', [id, seq - keep]);
      }
      if (readOnly.length > 0) {
        const r = await client.query<{ doc_id: string; seq: string }>('SELECT doc_id, seq FROM sk_docs WHERE doc_id = ANY($1::text[]) FOR SHARE', [readOnly.map((d) => d[0])]);
        const now = new Map(r.rows.map((row) => [row.doc_id, Number(row.seq)]));
        for (const [id, seq] of readOnly) if (now.get(id) !== seq) throw Object.assign(new Error(`${id} changed meanwhile`), { code: '23505' });
      }
      const audit = run.batch.flatMap((item) => item.audit);
      if (audit.length > 0) {
        await client.query(
          `INSERT INTO sk_audit (org_id, id, at, actor, action, target, event)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::json[])`,
          [
            audit.map((e) => e.orgId),
            audit.map((e) => e.id),
            audit.map((e) => e.at),
            audit.map((e) => e.actor),
            audit.map((e) => e.action),
            audit.map((e) => e.target),
            audit.map((e) => JSON.stringify(e)),
          ],
        );
      }
    });
  }

  /** The batch is committed: each document is at its new number. */
  #settle(run: Run): void {
    for (const t of run.touched.values()) {
      if (t.newSeq !== undefined) t.doc.seq = t.newSeq;
      t.doc.settle();
    }
  }

  /** The batch did not commit: memory goes back to what the database holds. */
  #undo(run: Run): void {
    for (const [id, t] of run.touched) {
      t.newSeq = undefined;
      if (t.created) this.#orgs.delete(id);
      else t.doc.undoTo(0);
      t.doc.settle();
    }
  }

  /** Reads the change records other nodes committed to these documents since this node's number. */
  async #catchUp(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const docs = ids.map((id) => [id, id === GLOBAL ? (this.#global as LiveDoc<object>) : (this.#orgs.get(id) as LiveDoc<object> | undefined)] as const);
    const r = await this.#pool.query<{ doc_id: string; seq: string; changes: Change[] }>(
      `SELECT c.doc_id, c.seq, c.changes FROM sk_changes c JOIN unnest($1::text[], $2::bigint[]) AS h(doc_id, seq)
         ON c.doc_id = h.doc_id AND c.seq > h.seq ORDER BY c.doc_id, c.seq`,
      [docs.map(([id]) => id), docs.map(([, d]) => d?.seq ?? 0)],
    );
    const byDoc = new Map<string, Array<{ seq: number; changes: Change[] }>>();
    for (const row of r.rows) {
      let list = byDoc.get(row.doc_id);
      if (!list) byDoc.set(row.doc_id, (list = []));
      list.push({ seq: Number(row.seq), changes: row.changes });
    }
    const reload: string[] = [];
    // Read in here, whether by a poll or after losing a race: either way the listeners hear of it.
    const told = new Map<string, RemoteRecords>();
    for (const [id, doc] of docs) {
      const list = byDoc.get(id);
      if (!doc || !list) continue;
      // Records pruned from the table leave a gap: load the document whole instead.
      if (list[0]!.seq !== doc.seq + 1 || list.some((c, n) => c.seq !== list[0]!.seq + n)) reload.push(id);
      else {
        doc.catchUp(list);
        told.set(id, list.flatMap((c) => c.changes.map((ch) => (ch.i === undefined ? { k: ch.k } : { k: ch.k, i: ch.i }))));
      }
    }
    if (reload.length > 0) {
      const client = await this.#pool.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const fresh = await loadDocs(client, reload);
        await client.query('COMMIT');
        for (const [id, d] of fresh) {
          const doc = id === GLOBAL ? (this.#global as LiveDoc<object>) : (this.#orgs.get(id) as LiveDoc<object> | undefined);
          doc?.replace(d.data, d.seq);
          if (doc) told.set(id, 'whole');
        }
        client.release();
      } catch (err) {
        client.release(err as Error);
        this.#tell(told);
        throw err;
      }
    }
    this.#tell(told);
  }

  async queryAudit(orgId: string, q: AuditQuery): Promise<AuditEvent[]> {
    const where = ['org_id = $1'];
    const args: unknown[] = [orgId];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (q.from !== undefined) add('at >= ?', q.from);
    if (q.to !== undefined) add('at <= ?', q.to);
    if (q.actor !== undefined) add('actor = ?', q.actor);
    if (q.target !== undefined) add('target = ?', q.target);
    if (q.action !== undefined) add('action = ?', q.action);
    args.push(q.limit ?? 200);
    try {
      const r = await this.#pool.query<{ event: AuditEvent }>(`SELECT event FROM sk_audit WHERE ${where.join(' AND ')} ORDER BY n DESC LIMIT $${args.length}`, args);
      return r.rows.map((row) => row.event);
    } catch (err) {
      throw new SeatkeeperError('STORAGE_UNAVAILABLE', 'The audit log cannot be read right now. Try again shortly.', {
        cause: (err as NodeJS.ErrnoException).code ?? (err as Error).message,
      });
    }
  }
}

interface Touched {
  doc: LiveDoc<object>;
  /** the tracked document handed to the batch's functions */
  view: object | null;
  /** created by this batch: written whole */
  created: boolean;
  /** the batch audits into it */
  audit: boolean;
  /** the number its change record took in this batch */
  newSeq?: number;
}

interface Run {
  batch: Item[];
  touched: Map<string, Touched>;
}

export function createPostgresStore(url: string, pool: Partial<PoolOptions> = {}, options: Partial<PostgresStoreOptions> = {}): PostgresStore {
  return new PostgresStore(createPool(url, pool), options);
}

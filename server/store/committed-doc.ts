// One JSON document kept in memory and committed to disk in the store's batches (doc-store.ts runs
// them: every document a batch changed is committed together, or none is).
//
// A commit normally appends one line to the document's journal (journal.ts): the records the batch
// changed, as they stand now (changes.ts), and the audit events that go with them. That costs what
// the change costs, not what the whole organization costs, so a revocation in a 10k-device
// organization is not a 10 MB rewrite. When the journal has grown to about the size of the
// document, the store compacts it after the batch: lowdb's `Low` holds the document and writes it
// through the TextAdapter (temp file, fsync, rename), stamped with the journal's sequence number
// and batch; then the journal is emptied. Loading replays the lines after the snapshot's number.
// A back end without a journal (memory) writes the whole document at each commit instead. A failed
// batch puts memory back to what is on disk, so memory and disk always agree.
import { Low } from 'lowdb';
import { ChangeFeed } from './change-feed.js';
import { Changes, applyChanges, track, type Change, type Marks } from './changes.js';
import { canonicalJson } from './canonical-json.js';
import { journalLine, type JournalLine } from './journal.js';
import type { Persister } from './persisters.js';
import { SerializeGate } from './serialize-gate.js';
import { TextAdapter } from './text-adapter.js';

export interface CommitOptions {
  /**
   * Check that every journal line reproduces memory exactly (a write that escaped the change
   * tracker then fails loudly). A test aid: it rebuilds the document on every flush.
   */
  verify: boolean;
  /** the journal may grow to this many bytes (or the snapshot's size, if larger) before a snapshot */
  minJournalBytes: number;
}

export const commitDefaults: CommitOptions = { verify: false, minJournalBytes: 256 * 1024 };

/** What is on disk for a document: the snapshot's text and the journal lines after it. */
export interface OnDisk {
  /** the snapshot's text; 'null' when there is none yet */
  text: string;
  journal: string[];
  /** the highest journal sequence number on disk */
  seq: number;
  /** the batch of the last line on disk */
  batch?: number;
  /** no snapshot file exists yet: the first compaction writes one */
  unwritten?: boolean;
}

/** One document's part of a batch, taken before anything is written. */
export interface Prepared {
  doc: CommittedDoc<object>;
  /** the journal line, or null when the whole document is written instead */
  line: { seq: number; text: string } | null;
  audit: string;
  undo: Array<() => Promise<void>>;
}

export class CommittedDoc<T extends object> {
  readonly id: string;
  readonly #db: Low<T>;
  readonly #adapter: TextAdapter<T>;
  readonly #persister: Persister;
  #audit: object[] = [];
  #pending = new Changes();
  /** journal lines on disk after the snapshot, kept to rebuild memory when a batch fails */
  #journal: string[];
  #journalBytes: number;
  #seq: number;
  #batch: number;
  /** no line or snapshot holds this document yet: its first line is the whole document */
  #isNew: boolean;
  #needsSnapshot: boolean;
  readonly #options: CommitOptions;

  constructor(
    id: string,
    persister: Persister,
    data: T,
    onDisk: OnDisk | string,
    gate: SerializeGate = new SerializeGate(),
    options: Partial<CommitOptions> = {},
  ) {
    this.id = id;
    this.#options = { ...commitDefaults, ...options };
    const disk: OnDisk = typeof onDisk === 'string' ? { text: onDisk, journal: [], seq: 0 } : onDisk;
    this.#persister = persister;
    this.#adapter = new TextAdapter<T>(persister, gate, disk.text);
    this.#db = new Low<T>(this.#adapter, data);
    this.#journal = [...disk.journal];
    this.#journalBytes = this.#journal.reduce((n, l) => n + l.length, 0);
    this.#seq = disk.seq;
    this.#batch = disk.batch ?? 0;
    this.#isNew = (disk.text === 'null' || disk.unwritten === true) && disk.journal.length === 0;
    this.#needsSnapshot = disk.unwritten === true || disk.text === 'null';
  }

  get data(): T {
    return this.#db.data;
  }

  /**
   * The document for a transaction: writes made through it are recorded for the next commit. The
   * proxies live as long as the objects they watch, so a transaction does not pay to make them.
   */
  tracked(): T {
    return track(this.#db.data, this.#marks);
  }

  /** Which records were written lately (for indexes that catch up instead of rebuilding). */
  readonly changeFeed = new ChangeFeed();

  readonly #marks: Marks = {
    markWhole: (k) => {
      this.#pending.markWhole(k);
      this.changeFeed.whole(k);
    },
    markRecord: (k, id) => {
      this.#pending.markRecord(k, id);
      this.changeFeed.record(k, id);
    },
    proxies: new WeakMap(),
  };

  queueAudit(event: object): void {
    this.#audit.push(event);
  }

  /** How many audit events wait for the next commit (a mark for `dropAuditFrom`). */
  get auditQueued(): number {
    return this.#audit.length;
  }

  /** Forgets the audit events queued after `mark` (their transaction was refused). */
  dropAuditFrom(mark: number): void {
    this.#audit.length = Math.min(this.#audit.length, mark);
  }

  /** Something waits to be committed. */
  get dirty(): boolean {
    return !this.#pending.empty || this.#audit.length > 0 || this.#isNew;
  }

  /**
   * Takes what waits into this batch, synchronously: the line is the batch's state, and
   * transactions that run after belong to the next one.
   */
  prepare(batch: number, batchDocs: string[]): Prepared {
    const audit = this.#audit;
    const changes = this.#pending;
    this.#audit = [];
    this.#pending = new Changes();
    const auditText = audit.map((e) => JSON.stringify(e) + '\n').join('');
    if (!this.#persister.journal) return { doc: this as unknown as CommittedDoc<object>, line: null, audit: auditText, undo: [] };
    const seq = this.#seq + 1;
    const entry: JournalLine = { s: seq, b: batch, c: this.#isNew ? wholeDoc(this.#db.data) : changes.collect(this.#db.data) };
    if (batchDocs.length > 1) entry.d = batchDocs;
    if (this.#isNew) entry.n = 1;
    if (audit.length > 0) entry.a = audit;
    const text = journalLine(entry);
    if (this.#options.verify) this.#verify(text);
    return { doc: this as unknown as CommittedDoc<object>, line: { seq, text }, audit: auditText, undo: [] };
  }

  /** The commit point for a journaled document: its line, durably. */
  async writeLine(p: Prepared): Promise<void> {
    if (!p.line) return;
    const { undo } = await this.#persister.journal!.append(p.line.text);
    p.undo.push(undo);
  }

  /** The audit log file: after the line, which holds the same events (loading recovers them). */
  async writeAudit(p: Prepared): Promise<void> {
    if (!p.audit || !this.#persister.append) return;
    const { undo } = await this.#persister.append(p.audit);
    p.undo.push(undo);
  }

  /** A document without a journal is written whole. */
  async writeWhole(p: Prepared): Promise<void> {
    if (p.line) return;
    await this.#db.write();
  }

  /** The batch is on disk. */
  committed(p: Prepared, batch: number): void {
    this.#isNew = false;
    if (!p.line) return;
    this.#seq = p.line.seq;
    this.#batch = batch;
    this.#isNew = false;
    this.#journal.push(p.line.text);
    this.#journalBytes += p.line.text.length;
    if (this.#journalBytes > Math.max(this.#options.minJournalBytes, this.#adapter.lastLength)) this.#needsSnapshot = true;
  }

  /** The batch failed: take back what it wrote, newest first. */
  async undo(p: Prepared): Promise<void> {
    for (const u of p.undo.reverse()) await u();
  }

  /** Memory goes back to what is on disk (after a failed batch). */
  rollback(): void {
    this.#audit = [];
    this.#pending = new Changes();
    this.#db.data = this.#rebuild(this.#journal);
    this.changeFeed.reset();
  }

  /**
   * Folds a grown journal (or a new document's first line) into a snapshot. Only called between
   * batches, when memory holds nothing uncommitted; a failure leaves the journal in charge.
   */
  async compact(): Promise<void> {
    if (!this.#needsSnapshot || !this.#persister.journal || this.#journal.length === 0 || this.dirty) return;
    const data = this.#db.data as T & { walSeq?: number; walBatch?: number };
    const before = { walSeq: data.walSeq, walBatch: data.walBatch };
    data.walSeq = this.#seq;
    data.walBatch = this.#batch;
    try {
      await this.#db.write();
    } catch {
      data.walSeq = before.walSeq;
      data.walBatch = before.walBatch;
      return;
    }
    this.#needsSnapshot = false;
    this.#journal = [];
    this.#journalBytes = 0;
    // Lines left behind if this fails are at or below the snapshot's number: loading skips them.
    await this.#persister.journal.reset().catch(() => {});
  }

  /** The document as the snapshot text and these journal lines make it. */
  #rebuild(journal: string[]): T {
    let data = JSON.parse(this.#adapter.lastText) as T | null;
    for (const line of journal) {
      const entry = JSON.parse(line) as JournalLine;
      if (entry.n === 1 || data === null) data = {} as T;
      applyChanges(data as object, entry.c);
    }
    return data as T;
  }

  /** The journal must reproduce memory exactly, or some write escaped the change tracker. */
  #verify(line: string): void {
    const rebuilt = canonicalJson(this.#rebuild([...this.#journal, line]));
    const now = canonicalJson(this.#db.data);
    if (rebuilt !== now) {
      let i = 0;
      while (i < now.length && now[i] === rebuilt[i]) i++;
      throw new Error(`store journal does not reproduce memory near: ${now.slice(Math.max(0, i - 120), i + 120)}`);
    }
  }
}

/** A whole document as changes (a new document's first line). */
function wholeDoc(doc: object): Change[] {
  return Object.entries(doc)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({ k, v }));
}

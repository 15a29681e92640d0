// One JSON document kept in memory and group-committed to disk. Every `commit()` made while a flush
// is running waits for the next flush, so a burst of N writes costs one flush.
//
// A flush normally appends one line to the document's journal (journal.ts): the records the batch
// changed, as they stand now (changes.ts). That costs what the change costs, not what the whole
// organization costs, so a revocation in a 10k-device organization is not a 10 MB rewrite. When the
// journal has grown to about the size of the document, the next flush writes a snapshot: lowdb's
// `Low` holds the document and writes it through the TextAdapter (temp file, fsync, rename), stamped
// with the journal's sequence number; then the journal is emptied. Loading replays the lines after
// the snapshot's number. A failed flush puts memory back to what is on disk and fails every waiter
// whose change was discarded, so memory and disk always agree.
import { Low } from 'lowdb';
import { ChangeFeed } from './change-feed.js';
import { Changes, applyChanges, track, type Marks } from './changes.js';
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

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/** What is on disk for a document: the snapshot's text and the journal lines after it. */
export interface OnDisk {
  text: string;
  journal: string[];
  /** the highest journal sequence number on disk */
  seq: number;
  /** no snapshot file exists yet: the first flush writes one */
  unwritten?: boolean;
}

export class CommittedDoc<T extends object> {
  readonly #db: Low<T>;
  readonly #adapter: TextAdapter<T>;
  readonly #persister: Persister;
  #waiters: Waiter[] = [];
  #audit: string[] = [];
  #running = false;
  #pending = new Changes();
  /** journal lines on disk after the snapshot, kept to rebuild memory when a flush fails */
  #journal: string[];
  #journalBytes: number;
  #seq: number;
  #needsSnapshot: boolean;
  readonly #options: CommitOptions;

  constructor(
    persister: Persister,
    data: T,
    onDisk: OnDisk | string,
    gate: SerializeGate = new SerializeGate(),
    options: Partial<CommitOptions> = {},
  ) {
    this.#options = { ...commitDefaults, ...options };
    const disk: OnDisk = typeof onDisk === 'string' ? { text: onDisk, journal: [], seq: 0 } : onDisk;
    this.#persister = persister;
    this.#adapter = new TextAdapter<T>(persister, gate, disk.text);
    this.#db = new Low<T>(this.#adapter, data);
    this.#journal = [...disk.journal];
    this.#journalBytes = this.#journal.reduce((n, l) => n + l.length, 0);
    this.#seq = disk.seq;
    // A document that was never written (or has no journal to append to) is written whole.
    this.#needsSnapshot = disk.unwritten === true || disk.text === 'null' || !persister.journal;
  }

  get data(): T {
    return this.#db.data;
  }

  /**
   * The document for a transaction: writes made through it are recorded for the next flush. The
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

  queueAudit(line: string): void {
    this.#audit.push(line);
  }

  /** How many audit lines wait for the next flush (a mark for `dropAuditFrom`). */
  get auditQueued(): number {
    return this.#audit.length;
  }

  /** Forgets the audit lines queued after `mark` (their transaction was refused). */
  dropAuditFrom(mark: number): void {
    this.#audit.length = Math.min(this.#audit.length, mark);
  }

  commit(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      if (!this.#running) {
        this.#running = true;
        // Let every request that arrives in this turn of the event loop join the same flush.
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#waiters.length > 0) {
      const batch = this.#waiters;
      const audit = this.#audit;
      const changes = this.#pending;
      this.#waiters = [];
      this.#audit = [];
      this.#pending = new Changes();
      let undoAudit: (() => Promise<void>) | undefined;
      try {
        // The journal line is taken now, before anything awaits: it is this batch's state, and
        // transactions that run while it is written belong to the next one.
        const line = this.#needsSnapshot || changes.empty ? null : this.#journalLine(changes);
        if (audit.length > 0 && this.#persister.append) {
          undoAudit = (await this.#persister.append(audit.join(''))).undo;
        }
        if (this.#needsSnapshot) await this.#snapshot();
        else if (line) await this.#appendJournal(line);
        for (const w of batch) w.resolve();
      } catch (err) {
        await undoAudit?.().catch(() => {});
        // Changes made while this flush ran were applied on top of the failed state: discard
        // them too, and tell their callers, so nothing unacknowledged lingers in memory.
        const discarded = this.#waiters;
        this.#waiters = [];
        this.#audit = [];
        this.#pending = new Changes();
        this.#db.data = this.#rebuild(this.#journal);
        this.changeFeed.reset();
        for (const w of [...batch, ...discarded]) w.reject(err);
      }
    }
    this.#running = false;
  }

  #journalLine(changes: Changes): { seq: number; text: string } {
    const seq = this.#seq + 1;
    const text = journalLine(seq, changes.collect(this.#db.data));
    if (this.#options.verify) this.#verify(text);
    return { seq, text };
  }

  async #appendJournal({ seq, text: line }: { seq: number; text: string }): Promise<void> {
    await this.#persister.journal!.append(line);
    this.#seq = seq;
    this.#journal.push(line);
    this.#journalBytes += line.length;
    if (this.#journalBytes > Math.max(this.#options.minJournalBytes, this.#adapter.lastLength)) this.#needsSnapshot = true;
  }

  async #snapshot(): Promise<void> {
    const data = this.#db.data as T & { walSeq?: number };
    const before = data.walSeq;
    data.walSeq = this.#seq;
    try {
      await this.#db.write();
    } catch (err) {
      data.walSeq = before;
      throw err;
    }
    this.#needsSnapshot = !this.#persister.journal;
    this.#journal = [];
    this.#journalBytes = 0;
    // Lines left behind if this fails are at or below the snapshot's number: loading skips them.
    await this.#persister.journal?.reset().catch(() => {});
  }

  /** The document as the snapshot text and these journal lines make it. */
  #rebuild(journal: string[]): T {
    const data = JSON.parse(this.#adapter.lastText) as T;
    for (const line of journal) applyChanges(data as object, (JSON.parse(line) as JournalLine).c);
    return data;
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

  /** Resolves when no flush is running or queued. */
  async settled(): Promise<void> {
    while (this.#running) await new Promise((r) => setTimeout(r, 2));
  }
}

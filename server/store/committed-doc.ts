// One JSON document kept in memory and group-committed to disk through lowdb. Every `commit()`
// made while a flush is running waits for the next flush, so a burst of N writes costs one flush.
//
// A flush normally appends one line to the document's journal: the records the batch wrote, as
// they stand now (see change-tracker.ts). That costs what the change costs, not what the whole
// organization costs, so a revocation in a 10k-device organization is not a 10 MB rewrite. When the
// journal has grown to about the size of the document, the next flush writes a snapshot (temp file,
// fsync, rename) stamped with the journal's sequence number, then empties the journal; loading
// replays the lines after the snapshot's number. A failed flush puts memory back to what is on disk
// and fails every waiter whose change was discarded, so memory and disk always agree.
import { Low, type Adapter } from 'lowdb';
import { appendDurable, emptyDurable, writeFileDurable } from './durable-file.js';
import { stat, truncate } from 'node:fs/promises';
import { stringifyChunked } from './chunked-json.js';
import { ChangeLog } from './change-log.js';
import { ChangeSet, applyChanges, track, type Change, type Marks } from './change-tracker.js';

export interface Persister {
  /** the document's JSON, as consecutive pieces */
  write(parts: string[]): Promise<void>;
  append?(text: string): Promise<{ undo(): Promise<void> }>;
  /** the document's journal; without one every flush writes the whole document */
  journal?: Journal;
}

export interface Journal {
  /** appends one line durably; on failure the file is as it was */
  append(line: string): Promise<void>;
  /** empties the journal once a snapshot holds everything in it */
  reset(): Promise<void>;
}

/**
 * Held while a document is being serialized in slices: transactions wait for it to open, so each
 * flush writes one consistent snapshot without stalling the event loop for the whole document.
 */
export class SerializeGate {
  #held = 0;
  #waiters: Array<() => void> = [];
  get closed(): boolean {
    return this.#held > 0;
  }
  hold(): void {
    this.#held++;
  }
  release(): void {
    if (--this.#held === 0) for (const w of this.#waiters.splice(0)) w();
  }
  wait(): Promise<void> {
    return this.#held === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/** lowdb adapter that only ever holds the text last written; reading is done at open. */
class TextAdapter<T> implements Adapter<T> {
  #lastParts: string[];
  constructor(
    private readonly persister: Persister,
    private readonly gate: SerializeGate,
    initial: string,
  ) {
    this.#lastParts = [initial];
  }
  /** what is on disk */
  get lastText(): string {
    return this.#lastParts.join('');
  }
  /** the length of what is on disk, without joining it */
  get lastLength(): number {
    if (this.#lastLength < 0) this.#lastLength = this.#lastParts.reduce((n, p) => n + p.length, 0);
    return this.#lastLength;
  }
  #lastLength = -1;
  async read(): Promise<T | null> {
    return JSON.parse(this.lastText) as T;
  }
  async write(data: T): Promise<void> {
    this.gate.hold();
    let parts: string[];
    try {
      parts = await stringifyChunked(data);
    } finally {
      this.gate.release();
    }
    await this.persister.write(parts);
    this.#lastParts = parts;
    this.#lastLength = -1;
  }
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

const VERIFY = process.env.SEATKEEPER_STORE_VERIFY === '1';
const MIN_JOURNAL_BYTES = 256 * 1024;

export class CommittedDoc<T extends object> {
  readonly #db: Low<T>;
  readonly #adapter: TextAdapter<T>;
  readonly #persister: Persister;
  #waiters: Waiter[] = [];
  #audit: string[] = [];
  #running = false;
  #pending = new ChangeSet();
  /** journal lines on disk after the snapshot, kept to rebuild memory when a flush fails */
  #journal: string[];
  #journalBytes: number;
  #seq: number;
  #needsSnapshot: boolean;

  constructor(persister: Persister, data: T, onDisk: OnDisk | string, gate: SerializeGate = new SerializeGate()) {
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
  readonly changeLog = new ChangeLog();

  readonly #marks: Marks = {
    markWhole: (k) => {
      this.#pending.markWhole(k);
      this.changeLog.whole(k);
    },
    markRecord: (k, id) => {
      this.#pending.markRecord(k, id);
      this.changeLog.record(k, id);
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
      this.#pending = new ChangeSet();
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
        this.#pending = new ChangeSet();
        this.#db.data = this.#rebuild(this.#journal);
        this.changeLog.reset();
        for (const w of [...batch, ...discarded]) w.reject(err);
      }
    }
    this.#running = false;
  }

  #journalLine(changes: ChangeSet): { seq: number; text: string } {
    const seq = this.#seq + 1;
    const text = JSON.stringify({ s: seq, c: changes.collect(this.#db.data) }) + '\n';
    if (VERIFY) this.#verify(text);
    return { seq, text };
  }

  async #appendJournal({ seq, text: line }: { seq: number; text: string }): Promise<void> {
    await this.#persister.journal!.append(line);
    this.#seq = seq;
    this.#journal.push(line);
    this.#journalBytes += line.length;
    if (this.#journalBytes > Math.max(MIN_JOURNAL_BYTES, this.#adapter.lastLength)) this.#needsSnapshot = true;
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

  /** Test aid: the journal must reproduce memory exactly, or some write escaped the tracker. */
  #verify(line: string): void {
    const rebuilt = canonical(this.#rebuild([...this.#journal, line]));
    const now = canonical(this.#db.data);
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

export interface JournalLine {
  s: number;
  c: Change[];
}

/**
 * Journal text as read from disk: the lines after `afterSeq` (as text, and their changes), and
 * where a torn tail begins.
 */
export function parseJournal(
  text: string,
  afterSeq: number,
): { lines: string[]; changes: Change[][]; seq: number; goodBytes: number; corruptAt: number | null } {
  const lines: string[] = [];
  const changes: Change[][] = [];
  let seq = afterSeq;
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    lineNo++;
    if (nl < 0) break; // a line without its newline was never acknowledged
    const raw = text.slice(pos, nl + 1);
    let parsed: JournalLine;
    try {
      parsed = JSON.parse(raw) as JournalLine;
      if (typeof parsed.s !== 'number' || !Array.isArray(parsed.c)) throw new Error('not a journal line');
    } catch {
      // Only the last line can be torn by a crash; garbage with lines after it is damage.
      if (nl + 1 < text.length) return { lines, changes, seq, goodBytes: pos, corruptAt: lineNo };
      break;
    }
    if (parsed.s > afterSeq) {
      lines.push(raw);
      changes.push(parsed.c);
      seq = Math.max(seq, parsed.s);
    }
    pos = nl + 1;
  }
  return { lines, changes, seq, goodBytes: pos, corruptAt: null };
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.keys(val).sort().map((k) => [k, (val as Record<string, unknown>)[k]]))
      : val,
  );
}

export function filePersister(path: string, auditPath?: string, journalPath?: string): Persister {
  return {
    write: (parts) => writeFileDurable(path, parts),
    ...(journalPath ? { journal: { append: (line: string) => appendDurable(journalPath, line), reset: () => emptyDurable(journalPath) } } : {}),
    ...(auditPath
      ? {
          append: async (text: string) => {
            const before = await stat(auditPath).then((s) => s.size, () => 0);
            await appendDurable(auditPath, text);
            return { undo: () => truncate(auditPath, before) };
          },
        }
      : {}),
  };
}

export function memoryPersister(onAppend?: (text: string) => void): Persister {
  return {
    write: async () => {},
    append: async (text) => {
      onAppend?.(text);
      return { undo: async () => {} };
    },
  };
}

// One JSON document kept in memory and group-committed to disk through lowdb. Every `commit()`
// made while a flush is running waits for the next flush, so a burst of N writes costs about two
// serializations, not N. A failed flush puts memory back to what is on disk and fails every
// waiter whose change was discarded, so memory and disk always agree.
import { Low, type Adapter } from 'lowdb';
import { appendDurable, writeFileDurable } from './durable-file.js';
import { stat, truncate } from 'node:fs/promises';
import { stringifyChunked } from './chunked-json.js';

export interface Persister {
  /** the document's JSON, as consecutive pieces */
  write(parts: string[]): Promise<void>;
  append?(text: string): Promise<{ undo(): Promise<void> }>;
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
  }
}

export class CommittedDoc<T> {
  readonly #db: Low<T>;
  readonly #adapter: TextAdapter<T>;
  readonly #persister: Persister;
  #waiters: Waiter[] = [];
  #audit: string[] = [];
  #running = false;

  constructor(persister: Persister, data: T, onDiskText: string, gate: SerializeGate = new SerializeGate()) {
    this.#persister = persister;
    this.#adapter = new TextAdapter<T>(persister, gate, onDiskText);
    this.#db = new Low<T>(this.#adapter, data);
  }

  get data(): T {
    return this.#db.data;
  }

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
      this.#waiters = [];
      this.#audit = [];
      let undoAudit: (() => Promise<void>) | undefined;
      try {
        if (audit.length > 0 && this.#persister.append) {
          undoAudit = (await this.#persister.append(audit.join(''))).undo;
        }
        await this.#db.write();
        for (const w of batch) w.resolve();
      } catch (err) {
        await undoAudit?.().catch(() => {});
        // Changes made while this flush ran were applied on top of the failed state: discard
        // them too, and tell their callers, so nothing unacknowledged lingers in memory.
        const discarded = this.#waiters;
        this.#waiters = [];
        this.#audit = [];
        this.#db.data = JSON.parse(this.#adapter.lastText) as T;
        for (const w of [...batch, ...discarded]) w.reject(err);
      }
    }
    this.#running = false;
  }

  /** Resolves when no flush is running or queued. */
  async settled(): Promise<void> {
    while (this.#running) await new Promise((r) => setTimeout(r, 2));
  }
}

export function filePersister(path: string, auditPath?: string): Persister {
  return {
    write: (parts) => writeFileDurable(path, parts),
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

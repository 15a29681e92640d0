// One JSON document kept in memory and group-committed to disk through lowdb. Every `commit()`
// made while a flush is running waits for the next flush, so a burst of N writes costs about two
// serializations, not N. A failed flush puts memory back to what is on disk and fails every
// waiter whose change was discarded, so memory and disk always agree.
import { Low, type Adapter } from 'lowdb';
import { appendDurable, writeFileDurable } from './durable-file.js';
import { stat, truncate } from 'node:fs/promises';

export interface Persister {
  write(text: string): Promise<void>;
  append?(text: string): Promise<{ undo(): Promise<void> }>;
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/** lowdb adapter that only ever holds the text last written; reading is done at open. */
class TextAdapter<T> implements Adapter<T> {
  lastText: string;
  constructor(
    private readonly persister: Persister,
    initial: string,
  ) {
    this.lastText = initial;
  }
  async read(): Promise<T | null> {
    return JSON.parse(this.lastText) as T;
  }
  async write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    await this.persister.write(text);
    this.lastText = text;
  }
}

export class CommittedDoc<T> {
  readonly #db: Low<T>;
  readonly #adapter: TextAdapter<T>;
  readonly #persister: Persister;
  #waiters: Waiter[] = [];
  #audit: string[] = [];
  #running = false;

  constructor(persister: Persister, data: T, onDiskText: string) {
    this.#persister = persister;
    this.#adapter = new TextAdapter<T>(persister, onDiskText);
    this.#db = new Low<T>(this.#adapter, data);
  }

  get data(): T {
    return this.#db.data;
  }

  queueAudit(line: string): void {
    this.#audit.push(line);
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
    write: (text) => writeFileDurable(path, text),
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

// One document as a PostgreSQL node holds it: the data in memory, the sequence number of the last
// commit it includes, the changes the running batch made, and what they overwrote, so a batch that
// loses a race to another node (or fails) can be taken back out of memory exactly.
import { ChangeFeed } from '../change-feed.js';
import { Changes, applyChanges, track, type Change, type Marks } from '../changes.js';

interface Before {
  k: string;
  /** absent: the whole top-level value */
  i?: string;
  had: boolean;
  value: unknown;
}

export class LiveDoc<T extends object> implements Marks {
  data: T;
  /** sequence number of the last committed change record this memory includes */
  seq: number;
  readonly feed = new ChangeFeed();
  readonly proxies = new WeakMap<object, object>();
  #changes = new Changes();
  #before: Before[] = [];
  /** what the current transaction has saved already (cleared at each transaction's start) */
  #saved = new Set<string>();

  constructor(data: T, seq: number) {
    this.data = data;
    this.seq = seq;
  }

  /** The document for a transaction: writes through it are recorded (and undoable). */
  tracked(): T {
    return track(this.data, this);
  }

  markWhole(k: string): void {
    const key = `${k}\n`;
    if (!this.#saved.has(key)) {
      this.#saved.add(key);
      const d = this.data as Record<string, unknown>;
      this.#before.push({ k, had: k in d, value: structuredClone(d[k]) });
    }
    this.#changes.markWhole(k);
    this.feed.whole(k);
  }

  markRecord(k: string, id: string): void {
    const key = `${k}\n${id}`;
    if (!this.#saved.has(key)) {
      this.#saved.add(key);
      const coll = (this.data as Record<string, Record<string, unknown> | undefined>)[k];
      const had = !!coll && Object.prototype.hasOwnProperty.call(coll, id);
      this.#before.push({ k, i: id, had, value: had ? structuredClone(coll![id]) : undefined });
    }
    this.#changes.markRecord(k, id);
    this.feed.record(k, id);
  }

  /** A transaction starts: returns the mark to undo back to if it is refused. */
  begin(): number {
    this.#saved.clear();
    return this.#before.length;
  }

  /** Puts back what was overwritten since `mark` (newest first). */
  undoTo(mark: number): void {
    const d = this.data as Record<string, unknown>;
    while (this.#before.length > mark) {
      const b = this.#before.pop()!;
      if (b.i === undefined) {
        if (b.had) d[b.k] = b.value;
        else delete d[b.k];
        this.feed.whole(b.k);
      } else {
        const coll = d[b.k] as Record<string, unknown>;
        if (b.had) coll[b.i] = b.value;
        else delete coll[b.i];
        this.feed.record(b.k, b.i);
      }
    }
    this.#saved.clear();
  }

  /** The batch's changes as they stand now; null when it changed nothing. */
  pending(): Change[] | null {
    return this.#changes.empty ? null : this.#changes.collect(this.data);
  }

  /** The batch is over (committed, or undone): start the next one clean. */
  settle(): void {
    this.#changes = new Changes();
    this.#before = [];
    this.#saved.clear();
  }

  /** Applies change records another node committed. */
  catchUp(records: Array<{ seq: number; changes: Change[] }>): void {
    for (const r of records) {
      applyChanges(this.data, r.changes);
      for (const c of r.changes) {
        if (c.i === undefined) this.feed.whole(c.k);
        else this.feed.record(c.k, c.i);
      }
      this.seq = r.seq;
    }
  }

  /** Replaces the whole document (reloaded from its rows): every reader rebuilds. */
  replace(data: T, seq: number): void {
    this.data = data;
    this.seq = seq;
    this.feed.reset();
  }
}

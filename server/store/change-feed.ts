// The change feed: which records of a document were written lately, per collection, so in-memory
// indexes over a large organization (the gateway's OrgIndex) catch up with what changed instead of
// re-reading every record. Every store feeds it from the changes it commits.
// Bounded: a reader that fell too far behind is told to rebuild.

const KEEP = 4096;

interface Column {
  /** revision of the oldest id kept, minus one */
  base: number;
  rev: number;
  ids: string[];
}

export class ChangeFeed {
  readonly #cols = new Map<string, Column>();

  #col(k: string): Column {
    let c = this.#cols.get(k);
    if (!c) this.#cols.set(k, (c = { base: 0, rev: 0, ids: [] }));
    return c;
  }

  /** The collection's revision: it moves with every write to it. */
  revision(k: string): number {
    return this.#cols.get(k)?.rev ?? 0;
  }

  record(k: string, id: string): void {
    const c = this.#col(k);
    c.rev++;
    c.ids.push(id);
    if (c.ids.length > KEEP) {
      const drop = c.ids.length - KEEP / 2;
      c.ids.splice(0, drop);
      c.base += drop;
    }
  }

  /** The whole collection was replaced (or the document was reloaded): readers rebuild. */
  whole(k: string): void {
    const c = this.#col(k);
    c.rev++;
    c.base = c.rev;
    c.ids = [];
  }

  /** Ids written after `rev`, or null when they are no longer known (rebuild instead). */
  since(k: string, rev: number): string[] | null {
    const c = this.#cols.get(k);
    if (!c) return rev === 0 ? [] : null;
    if (rev > c.rev || rev < c.base) return null;
    return c.ids.slice(rev - c.base);
  }

  /** Everything is new (the document object was replaced). */
  reset(): void {
    for (const k of this.#cols.keys()) this.whole(k);
  }
}

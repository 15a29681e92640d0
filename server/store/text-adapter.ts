// The lowdb adapter of a committed document. lowdb's part in the store is small: `Low` holds the
// document object in memory and, on a snapshot, hands it to this adapter's `write`, which
// serializes it in slices (behind the serialize gate) and writes it durably through the persister.
// Reading happens once, at open, from the text the store loaded; the adapter keeps the text last
// written, which is what a failed flush rebuilds memory from.
import type { Adapter } from 'lowdb';
import { stringifyChunked } from './chunked-json.js';
import type { Persister } from './persisters.js';
import type { SerializeGate } from './serialize-gate.js';

export class TextAdapter<T> implements Adapter<T> {
  #lastParts: string[];
  #lastLength = -1;
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

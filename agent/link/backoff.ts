// Reconnect delays: exponential with full jitter (delay = random() × min(cap, base × 2^attempt)),
// so a thousand agents that lost the server at once do not come back at once.
export interface BackoffOptions {
  /** first ceiling, ms (default 500) */
  baseMs?: number;
  /** largest ceiling, ms (default 60 000) */
  capMs?: number;
  /** uniform in [0, 1); injectable for tests */
  random?: () => number;
}

export class Backoff {
  readonly baseMs: number;
  readonly capMs: number;
  #random: () => number;
  #attempt = 0;

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 500;
    this.capMs = opts.capMs ?? 60_000;
    this.#random = opts.random ?? Math.random;
    if (!(this.baseMs > 0)) throw new RangeError('Backoff: baseMs must be > 0');
    if (!(this.capMs >= this.baseMs)) throw new RangeError('Backoff: capMs must be >= baseMs');
  }

  get attempt(): number {
    return this.#attempt;
  }

  /** The ceiling for attempt n (before jitter). */
  ceiling(attempt: number): number {
    // 2^30 × base is far past any cap; stop growing the exponent so it never overflows.
    return Math.min(this.capMs, this.baseMs * 2 ** Math.min(attempt, 30));
  }

  /** The delay before the next attempt; each call counts an attempt. */
  next(): number {
    const r = Math.min(Math.max(this.#random(), 0), 1);
    const delay = Math.floor(r * this.ceiling(this.#attempt));
    this.#attempt++;
    return Math.min(delay, this.capMs);
  }

  reset(): void {
    this.#attempt = 0;
  }
}

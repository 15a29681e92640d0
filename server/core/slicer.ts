// Long work cut into slices so the event loop turns between them: `await slicer.turn()` yields
// (setImmediate: sockets, timers and other requests run) once the current slice has run its budget.
import { performance } from 'node:perf_hooks';

/** A slice long enough to do real work, short enough that nobody notices the wait. */
export const SLICE_MS = 8;

export class Slicer {
  readonly #budgetMs: number;
  #start = performance.now();

  constructor(budgetMs = SLICE_MS) {
    this.#budgetMs = budgetMs;
  }

  /** Yields when the slice is used up; otherwise returns at once. */
  async turn(): Promise<void> {
    if (performance.now() - this.#start < this.#budgetMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#start = performance.now();
  }
}

/** Runs a generator to its end, yielding to the event loop between slices; returns its value. */
export async function runSliced<T>(steps: Generator<unknown, T>, budgetMs = SLICE_MS): Promise<T> {
  const slicer = new Slicer(budgetMs);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await slicer.turn();
  }
}

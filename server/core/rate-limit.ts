// A fixed-window attempt counter per key (for example "sign-in:<ip>:<email>"). In memory: a
// restart forgets it, which is acceptable for throttling guesses.
import type { Clock } from './clock.js';

export interface RateLimiter {
  /** Counts one attempt; returns seconds to wait when over the limit, else 0. */
  hit(key: string): number;
  reset(key: string): void;
  /** Seconds to wait if one more attempt would be over the limit, without counting one. */
  peek(key: string): number;
}

export function createRateLimiter(opts: { attempts: number; windowSeconds: number; clock: Clock }): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  const windowMs = opts.windowSeconds * 1000;
  let nextSweep = 0;
  return {
    hit(key) {
      const now = opts.clock();
      // At most one sweep a window: while that many keys are live, sweeping on every hit would
      // cost a pass over all of them per request (many spoofed addresses make a CPU flood).
      if (windows.size > 100_000 && now >= nextSweep) {
        nextSweep = now + windowMs;
        for (const [k, w] of windows) if (now - w.start >= windowMs) windows.delete(k);
      }
      let w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      if (w.count > opts.attempts) return Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
      return 0;
    },
    reset(key) {
      windows.delete(key);
    },
    peek(key) {
      const now = opts.clock();
      const w = windows.get(key);
      if (!w || now - w.start >= windowMs || w.count < opts.attempts) return 0;
      return Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
    },
  };
}

import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('doubles the ceiling per attempt up to the 60 s cap', () => {
    const b = new Backoff({ random: () => 0.999999 });
    const delays = Array.from({ length: 12 }, () => b.next());
    expect(delays.slice(0, 4)).toEqual([499, 999, 1999, 3999]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_000);
    expect(delays.at(-1)).toBe(59_999);
  });

  it('applies full jitter: the delay is random × ceiling, from 0', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 8000, random: () => 0.5 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(new Backoff({ random: () => 0 }).next()).toBe(0);
  });

  it('spreads delays across the range with a real random source', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 1000 });
    const delays = new Set(Array.from({ length: 50 }, () => b.next()));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d >= 0 && d < 1000).toBe(true);
  });

  it('starts over after reset and never overflows after many attempts', () => {
    const b = new Backoff({ random: () => 0.999999 });
    for (let i = 0; i < 5000; i++) b.next();
    expect(b.next()).toBe(59_999);
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(499);
  });

  it('clamps a misbehaving random source and rejects bad options', () => {
    expect(new Backoff({ random: () => 7 }).next()).toBe(500);
    expect(new Backoff({ random: () => -1 }).next()).toBe(0);
    expect(() => new Backoff({ baseMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 100, capMs: 10 })).toThrow(RangeError);
  });
});

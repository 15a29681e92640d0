import { describe, expect, it } from 'vitest';
import { randomId, randomText } from './ids.js';

describe('randomText', () => {
  it('gives n fresh bytes each call, across many refills of its pool', () => {
    const seen = new Set<string>();
    // 3,000 × 32 bytes crosses the 4 KiB pool more than twenty times, at an offset that does not divide it.
    for (let i = 0; i < 3000; i++) {
      const t = randomText(32);
      expect(Buffer.from(t, 'base64url')).toHaveLength(32);
      seen.add(t);
    }
    expect(seen.size).toBe(3000);
  });

  it('never hands out the same bytes twice, even in pieces of different sizes', () => {
    const bytes: Buffer[] = [];
    for (let i = 0; i < 2000; i++) bytes.push(Buffer.from(randomText(1 + (i % 13)), 'base64url'));
    // Every 8-byte window of one piece would repeat in another if bytes were reused.
    const windows = new Set<string>();
    let total = 0;
    for (const b of bytes) {
      for (let k = 0; k + 8 <= b.length; k++) {
        windows.add(b.subarray(k, k + 8).toString('hex'));
        total++;
      }
    }
    expect(windows.size).toBe(total);
  });

  it('prefixes ids so a log line says what they name', () => {
    expect(randomId('dev')).toMatch(/^dev_[A-Za-z0-9_-]{14}$/);
  });
});

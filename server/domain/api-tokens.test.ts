import { describe, expect, it } from 'vitest';
import { TOKEN_USE_RESOLUTION_MS, tokenUseDue } from './api-tokens.js';

describe('tokenUseDue', () => {
  const t0 = 1_700_000_000_000;
  it.each<[number | null, number, boolean, string]>([
    [null, t0, true, 'never used'],
    [t0, t0, false, 'just recorded'],
    [t0, t0 + TOKEN_USE_RESOLUTION_MS - 1, false, 'within the minute'],
    [t0, t0 + TOKEN_USE_RESOLUTION_MS, true, 'a minute later'],
    [t0, t0 - 5_000, false, 'a clock that stepped back'],
  ])('last used %s, now %s → %s (%s)', (last, now, due, _why) => {
    expect(tokenUseDue(last, now)).toBe(due);
  });
});

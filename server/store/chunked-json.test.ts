import { describe, expect, it } from 'vitest';
import { stringifyChunked } from './chunked-json.js';

describe('stringifyChunked', () => {
  it('produces exactly what JSON.stringify produces, for small and large collections', async () => {
    const big: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) big[`k${i}`] = { id: i, name: `n"${i}`, tags: ['a', 'b'], skip: undefined };
    const doc = { schema: 1, a: big, list: Array.from({ length: 1000 }, (_, i) => ({ i })), small: { x: [1, 2] }, nil: null, s: 'x' };
    expect((await stringifyChunked(doc, 0)).join('')).toBe(JSON.stringify(doc));
    expect(JSON.parse((await stringifyChunked(doc)).join(''))).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('yields to the event loop while serializing a large document', async () => {
    const big: Record<string, unknown> = {};
    for (let i = 0; i < 20000; i++) big[`k${i}`] = { id: i, v: 'x'.repeat(20) };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await stringifyChunked({ big }, 0.5);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});

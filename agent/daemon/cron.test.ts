import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadNodeCron, scheduleLocal } from './cron.js';
import { parseCron } from './cron-expression.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('loadNodeCron', () => {
  it('validates what it reads itself, leaves the rest to node-cron (loaded under ESM too), and rejects nonsense', async () => {
    const cron = await loadNodeCron();
    expect(cron.validate('*/15 * * * *')).toBe(true);
    // node-cron's own syntax: the last day of the month.
    expect(cron.validate('0 0 L * *')).toBe(true);
    expect(cron.validate('every tuesday')).toBe(false);
    const task = cron.schedule('0 0 L * *', () => {});
    await task.stop();
  });
});

describe('scheduleLocal', () => {
  it('runs at each match, one timer at a time, and stops', async () => {
    vi.useFakeTimers({ now: new Date(2026, 11, 3, 13, 7, 42) });
    const runs: Date[] = [];
    const task = scheduleLocal(parseCron('*/15 * * * *')!, () => runs.push(new Date()));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(7 * 60_000);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(runs).toEqual([new Date(2026, 11, 3, 13, 15)]);
    await vi.advanceTimersByTimeAsync(15 * 60_000);
    expect(runs).toEqual([new Date(2026, 11, 3, 13, 15), new Date(2026, 11, 3, 13, 30)]);
    task.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(runs).toHaveLength(2);
  });

  it('skips a run while the last one is still going when asked not to overlap', async () => {
    vi.useFakeTimers({ now: new Date(2026, 11, 3, 13, 0, 0, 500) });
    let release!: () => void;
    let started = 0;
    const task = scheduleLocal(parseCron('* * * * * *')!, () => {
      started++;
      return new Promise<void>((r) => (release = r));
    }, { noOverlap: true });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(started).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toBe(2);
    task.stop();
  });

  it('re-arms across a wait longer than a day', async () => {
    vi.useFakeTimers({ now: new Date(2026, 0, 1) });
    const runs: Date[] = [];
    const task = scheduleLocal(parseCron('0 0 1 mar *')!, () => runs.push(new Date()));
    await vi.advanceTimersByTimeAsync(59 * 86_400_000);
    expect(runs).toEqual([new Date(2026, 2, 1)]);
    task.stop();
  });
});

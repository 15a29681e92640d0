import { describe, expect, it } from 'vitest';
import { cronMatches, nextCronRun, parseCron } from './cron-expression.js';

const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s);
const next = (expr: string, from: Date) => nextCronRun(parseCron(expr)!, from);

describe('cron expressions in local time', () => {
  it('runs the default inventory schedule every quarter hour on the minute', () => {
    expect(next('*/15 * * * *', at(2026, 12, 3, 13, 7, 42))).toEqual(at(2026, 12, 3, 13, 15));
    expect(next('*/15 * * * *', at(2026, 12, 3, 13, 15))).toEqual(at(2026, 12, 3, 13, 30));
    expect(next('*/15 * * * *', at(2026, 12, 31, 23, 59, 59))).toEqual(at(2027, 1, 1, 0, 0));
  });

  it('reads seconds, lists, ranges with steps, month and weekday names, 7 as Sunday and nicknames', () => {
    expect(next('*/20 * * * * *', at(2026, 1, 1, 0, 0, 5))).toEqual(at(2026, 1, 1, 0, 0, 20));
    expect(next('0 9-17/4 * * mon-fri', at(2026, 12, 5, 12))).toEqual(at(2026, 12, 7, 9)); // Saturday → Monday 9:00
    expect(next('30 2 1 jan,Jul *', at(2026, 2, 1))).toEqual(at(2026, 7, 1, 2, 30));
    expect(next('0 0 * * 7', at(2026, 12, 3))).toEqual(at(2026, 12, 6)); // 6 Dec 2026 is a Sunday
    expect(next('@hourly', at(2026, 12, 3, 13, 1))).toEqual(at(2026, 12, 3, 14));
    expect(next('0 12 * * ?', at(2026, 12, 3, 13))).toEqual(at(2026, 12, 4, 12));
  });

  it('requires the day and the weekday both, as node-cron does', () => {
    // The 13th that is a Friday: 13 August 2027.
    expect(next('0 0 13 * fri', at(2026, 12, 1))).toEqual(at(2027, 8, 13));
    expect(cronMatches(parseCron('0 0 13 * fri')!, at(2027, 8, 13))).toBe(true);
    expect(cronMatches(parseCron('0 0 13 * fri')!, at(2027, 9, 13))).toBe(false);
  });

  it('finds no run for a date that never comes', () => {
    expect(next('0 0 30 feb *', at(2026, 1, 1))).toBeNull();
  });

  it.each(['every tuesday', '* * * *', '* * * * * * *', '0 0 L * *', '0 0 15W * *', '0 0 * * 5#2', '0 0 * * 5L', '5/15 * * * *', '*/0 * * * *', '60 * * * *', '0 0 0 * *', '0 0 * 13 *', '0 22-2 * * *', '1-5-7 * * * *'])(
    "leaves %s to node-cron (its syntax, or not an expression at all)",
    (expr) => {
      expect(parseCron(expr)).toBeNull();
    },
  );
});

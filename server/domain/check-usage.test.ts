import { describe, expect, it } from 'vitest';
import type { UsageCount } from '../../shared/protocol/usage.js';
import { denialsReport, idleDaysOf, idleSeats } from './check-reports.js';
import { applyUsageReport, DEFAULT_CHECK_USE_LIMITS, lastUseOf, type CheckUseLimits } from './check-usage.js';
import type { Account, OrgDoc } from './model.js';

const DAY = 24 * 3600_000;
const NOW = Date.parse('2026-06-15T12:00:00Z');

function doc(): OrgDoc {
  return {
    org: { id: 'o1', settings: { leaseTtlSeconds: 3600 } },
    devices: { d1: { id: 'd1', hostname: 'ws-1', signedInAccountId: 'a1' }, d2: { id: 'd2', hostname: 'ws-2', signedInAccountId: null } },
    contracts: { c1: { id: 'c1', number: 'C-1', startsAt: 0, endsAt: NOW + 365 * DAY, lines: [{ id: 'l1', productCode: 'CAD', seats: 3, method: 'named-user' }] } },
    products: { CAD: { code: 'CAD', name: 'Big CAD' } },
    assignments: {
      s1: { id: 's1', lineId: 'l1', accountId: 'a1', assignedBy: 'x', assignedAt: NOW - 100 * DAY },
      s2: { id: 's2', lineId: 'l1', accountId: 'a2', assignedBy: 'x', assignedAt: NOW - 40 * DAY },
      s3: { id: 's3', lineId: 'l1', accountId: 'a3', assignedBy: 'x', assignedAt: NOW - 2 * DAY },
    },
  } as unknown as OrgDoc;
}
const accounts = { a1: { email: 'a1@x.test', name: 'A1' }, a2: { email: 'a2@x.test', name: 'A2' }, a3: { email: 'a3@x.test', name: 'A3' } } as unknown as Record<string, Account>;

let ids = 0;
const report = (d: OrgDoc, batchId: string, counts: Array<Partial<UsageCount>>, opts: { deviceId?: string; now?: number; limits?: Partial<CheckUseLimits>; holder?: string | null } = {}) =>
  applyUsageReport(d, {
    deviceId: opts.deviceId ?? 'd1',
    batchId,
    counts: counts.map((c) => ({ productCode: 'CAD', outcome: 'no-lease', user: 'u', count: 1, first: (opts.now ?? NOW) - 1000, last: opts.now ?? NOW, ...c })),
    holderOf: () => (opts.holder === undefined ? 'a1' : opts.holder),
    now: opts.now ?? NOW,
    newId: () => `dny${++ids}`,
    limits: { ...DEFAULT_CHECK_USE_LIMITS, ...opts.limits },
  });

describe('usage reports', () => {
  it('counts a batch once, and keeps one refusal record per device, product, reason, user and day', () => {
    const d = doc();
    report(d, 'b1', [{ count: 2 }, { outcome: 'ok', count: 5 }]);
    report(d, 'b1', [{ count: 2 }, { outcome: 'ok', count: 5 }]);
    report(d, 'b2', [{ count: 3 }, { count: 1, user: 'other' }, { count: 1, outcome: 'revoked' }]);
    report(d, 'b3', [{ count: 4, first: NOW - DAY - 5000, last: NOW - DAY }]);
    expect(d.denials!.map((x) => [x.day, x.reason, x.user, x.count, x.accountId])).toEqual([
      ['2026-06-15', 'no-lease', 'u', 5, 'a1'],
      ['2026-06-15', 'no-lease', 'other', 1, 'a1'],
      ['2026-06-15', 'revoked', 'u', 1, 'a1'],
      ['2026-06-14', 'no-lease', 'u', 4, 'a1'],
    ]);
    expect(d.checkUse!.d1!.CAD).toEqual({ lastUsedAt: NOW, accountId: 'a1', lastCheckAt: NOW, allowed: 5, refused: 11 });
  });

  it('clamps a clock ahead to now, drops what is past the retention, and keeps at most the bound', () => {
    const d = doc();
    report(d, 'b1', [{ first: NOW + DAY, last: NOW + 2 * DAY }, { productCode: 'OLD', first: NOW - 100 * DAY, last: NOW - 95 * DAY }]);
    expect(d.denials!.map((x) => [x.productCode, x.last, x.first])).toEqual([['CAD', NOW, NOW]]);
    for (let i = 0; i < 10; i++) report(d, `m${i}`, [{ productCode: `P${i}` }], { limits: { maxDenialRecords: 4 } });
    expect(d.denials!.map((x) => x.productCode)).toEqual(['P6', 'P7', 'P8', 'P9']);
    // A day later than the retention, everything reported before is gone.
    report(d, 'late', [{ productCode: 'NEW', first: NOW + 91 * DAY, last: NOW + 91 * DAY }], { now: NOW + 91 * DAY });
    expect(d.denials!.map((x) => x.productCode)).toEqual(['NEW']);
  });

  it('alerts once a day per product when the day reaches the threshold, the org threshold first', () => {
    const d = doc();
    expect(report(d, 'b1', [{ count: 15 }])).toEqual([]);
    expect(report(d, 'b2', [{ count: 5 }], { deviceId: 'd2' })).toEqual([{ day: '2026-06-15', productCode: 'CAD', count: 20, threshold: 20 }]);
    expect(report(d, 'b3', [{ count: 50 }])).toEqual([]);
    // Yesterday's refusals never alert today.
    expect(report(d, 'b4', [{ productCode: 'X', count: 99, first: NOW - DAY, last: NOW - DAY }])).toEqual([]);
    d.org.settings.denialAlertThreshold = 3;
    expect(report(d, 'b5', [{ productCode: 'Y', count: 3 }])).toEqual([{ day: '2026-06-15', productCode: 'Y', count: 3, threshold: 3 }]);
    // The next day it may alert again.
    expect(report(d, 'b6', [{ productCode: 'Y', count: 3, first: NOW + DAY, last: NOW + DAY }], { now: NOW + DAY })).toHaveLength(1);
  });

  it('finds idle seats from the holders’ latest use anywhere, and never-used seats by their age', () => {
    const d = doc();
    report(d, 'b1', [{ outcome: 'ok', first: NOW - 10 * DAY, last: NOW - 10 * DAY }], { holder: 'a1' });
    report(d, 'b2', [{ outcome: 'ok', first: NOW - 50 * DAY, last: NOW - 50 * DAY }], { deviceId: 'd2', holder: 'a1' });
    // A serial seat's use (no holder) is nobody's.
    report(d, 'b3', [{ outcome: 'ok' }], { deviceId: 'd2', holder: null });
    expect(lastUseOf(d)('a1', 'CAD')).toBe(NOW - 10 * DAY);
    expect(idleSeats(d, accounts, NOW, 30).map((r) => [r.accountId, r.idleDays, r.lastUsedAt])).toEqual([['a2', 40, null]]);
    expect(idleSeats(d, accounts, NOW, 0).map((r) => [r.accountId, r.idleDays])).toEqual([
      ['a2', 40],
      ['a1', 10],
      ['a3', 2],
    ]);
    expect(idleDaysOf(d, 's2', NOW)).toBe(40);
    expect(idleDaysOf(d, 'nope', NOW)).toBeNull();
  });

  it('reports refusals in the window, newest first, with sums per day and product', () => {
    const d = doc();
    report(d, 'b1', [{ count: 2, first: NOW - 3 * DAY, last: NOW - 3 * DAY }]);
    report(d, 'b2', [{ count: 4 }, { productCode: 'CAM', count: 1 }], { deviceId: 'd2' });
    const r = denialsReport(d, accounts, NOW, 2);
    expect([r.from, r.to, r.total]).toEqual(['2026-06-14', '2026-06-15', 5]);
    expect(r.rows.map((x) => [x.hostname, x.productCode, x.count, x.email])).toEqual([
      ['ws-2', 'CAD', 4, null],
      ['ws-2', 'CAM', 1, null],
    ]);
    expect(r.perDay).toEqual([
      { day: '2026-06-15', productCode: 'CAD', count: 4 },
      { day: '2026-06-15', productCode: 'CAM', count: 1 },
    ]);
    expect(denialsReport(d, accounts, NOW, 7, 'CAD').total).toBe(6);
  });
});

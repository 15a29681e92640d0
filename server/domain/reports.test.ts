import { describe, expect, it } from 'vitest';
import { foldUsage, rollUpUsage, toCsv, usageHistory, usageReport } from './reports.js';
import type { OrgDoc } from './model.js';

const day = (s: string) => Date.parse(`${s}T00:00:00Z`);

function doc(): OrgDoc {
  return {
    contracts: {
      c1: { id: 'c1', number: 'C-1', startsAt: day('2026-01-01'), endsAt: day('2026-01-03') + 1, lines: [{ id: 'l1', productCode: 'CAD', seats: 4, method: 'named-user' }] },
      c2: { id: 'c2', number: 'C-2', startsAt: day('2026-01-02'), endsAt: day('2030-01-01'), lines: [{ id: 'l2', productCode: 'CAD', seats: 6, method: 'named-user' }] },
    },
  } as unknown as OrgDoc;
}

describe('usage report', () => {
  it('folds samples into UTC days: peak, average over all samples (absent = 0) and seats owned that day', () => {
    const folded = foldUsage({}, [
      { at: day('2026-01-02') + 1000, inUse: { CAD: 3 }, devicesOnline: 3 },
      { at: day('2026-01-02') + 2000, inUse: {}, devicesOnline: 0 },
      { at: day('2026-01-03') + 1000, inUse: { CAD: 8, OTHER: 1 }, devicesOnline: 9 },
    ]);
    const r = usageReport(doc(), folded, day('2026-01-04') + 5, 4);
    expect(r.from).toBe('2026-01-01');
    expect(r.to).toBe('2026-01-04');
    const cad = r.rows.filter((x) => x.productCode === 'CAD').map(({ day, peak, avg, owned, samples }) => [day, peak, avg, owned, samples]);
    expect(cad).toEqual([
      ['2026-01-01', 0, 0, 4, 0],
      ['2026-01-02', 3, 1.5, 10, 2],
      ['2026-01-03', 8, 8, 10, 1],
      ['2026-01-04', 0, 0, 6, 0],
    ]);
    expect(r.rows.filter((x) => x.productCode === 'OTHER').map((x) => x.peak)).toEqual([0, 0, 1, 0]);
  });
});

describe('usage rollup', () => {
  const withSamples = (samples: OrgDoc['usage']): OrgDoc => ({ ...doc(), usage: samples });
  const samples = (): OrgDoc['usage'] => [
    { at: day('2026-01-02') + 1000, inUse: { CAD: 3 }, devicesOnline: 3 },
    { at: day('2026-01-02') + 2000, inUse: {}, devicesOnline: 0 },
    { at: day('2026-01-03') + 1000, inUse: { CAD: 8, OTHER: 1 }, devicesOnline: 9 },
    { at: day('2026-01-04') + 1000, inUse: { CAD: 1 }, devicesOnline: 1 },
  ];

  it('folds each finished day into one row per product, held or seen, and leaves today to the samples', () => {
    const d = withSamples(samples());
    expect(rollUpUsage(d, day('2026-01-04') + 5000)).toEqual(['2026-01-02', '2026-01-03']);
    expect(Object.keys(d.usageDays!).sort()).toEqual(['2026-01-02/CAD', '2026-01-03/CAD', '2026-01-03/OTHER']);
    expect(d.usageDays!['2026-01-02/CAD']).toEqual({ day: '2026-01-02', productCode: 'CAD', peak: 3, sum: 3, samples: 2, owned: 10 });
    expect(d.usageDays!['2026-01-03/OTHER']).toEqual({ day: '2026-01-03', productCode: 'OTHER', peak: 1, sum: 1, samples: 1, owned: 0 });
  });

  it('is idempotent: a second run, or a run after the samples were pruned, changes nothing', () => {
    const d = withSamples(samples());
    rollUpUsage(d, day('2026-01-04') + 5000);
    const once = JSON.stringify(d.usageDays);
    expect(rollUpUsage(d, day('2026-01-04') + 6000)).toEqual([]);
    d.usage.splice(0, 3);
    expect(rollUpUsage(d, day('2026-01-04') + 7000)).toEqual([]);
    expect(JSON.stringify(d.usageDays)).toBe(once);
  });

  it('reports the same numbers from folded rows as from the samples, and keeps the owned seats of the day', () => {
    const now = day('2026-01-04') + 5000;
    const fromSamples = usageReport(withSamples(samples()), foldUsage({}, samples()), now, 4);
    const d = withSamples(samples());
    rollUpUsage(d, now);
    d.usage = d.usage.filter((s) => s.at >= day('2026-01-04'));
    // A contract edited afterwards does not rewrite the folded days.
    d.contracts.c2!.lines[0]!.seats = 60;
    const fromRows = usageReport(d, usageHistory(d), now, 4);
    const pick = (r: typeof fromRows) => r.rows.filter((x) => x.day !== '2026-01-04');
    expect(pick(fromRows)).toEqual(pick(fromSamples));
    expect(fromRows.rows.find((x) => x.day === '2026-01-04' && x.productCode === 'CAD')).toMatchObject({ peak: 1, avg: 1, owned: 60, samples: 1 });
  });

  it('drops rows older than the days kept, and does not fold samples older than that', () => {
    const d = withSamples(samples());
    rollUpUsage(d, day('2026-01-04') + 5000);
    // 89 days later the 4th is the oldest day kept.
    expect(rollUpUsage(d, day('2026-01-04') + 89 * 86_400_000 + 5000)).toEqual(['2026-01-04']);
    expect(Object.keys(d.usageDays!)).toEqual(['2026-01-04/CAD']);
    const old = withSamples(samples());
    expect(rollUpUsage(old, day('2026-01-03') + 89 * 86_400_000)).toEqual(['2026-01-03', '2026-01-04']);
  });
});

describe('toCsv', () => {
  it('quotes what needs quoting and defuses formulas in text cells, not in numbers', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['=1+1', -3], ['@cmd', { k: 'v' }]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n\'=1+1,-3\r\n\'@cmd,"{""k"":""v""}"\r\n');
  });
});

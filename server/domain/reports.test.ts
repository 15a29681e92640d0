import { describe, expect, it } from 'vitest';
import { foldUsage, toCsv, usageReport } from './reports.js';
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

describe('toCsv', () => {
  it('quotes what needs quoting and defuses formulas in text cells, not in numbers', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['=1+1', -3], ['@cmd', { k: 'v' }]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n\'=1+1,-3\r\n\'@cmd,"{""k"":""v""}"\r\n');
  });
});

import { describe, expect, it } from 'vitest';
import { DAY, NOW, orgDoc } from '../../test/helpers/org-doc.js';
import { findLine, isContractActive, seatSummary } from './seats.js';

describe('isContractActive', () => {
  it.each([
    [NOW - DAY, NOW + DAY, true],
    [NOW, NOW + DAY, true],
    [NOW - DAY, NOW, false],
    [NOW + 1, NOW + DAY, false],
  ])('from %d to %d → %s', (startsAt, endsAt, active) => {
    expect(isContractActive({ startsAt, endsAt }, NOW)).toBe(active);
  });
});

describe('seatSummary', () => {
  const world = () =>
    orgDoc()
      .member('m1')
      .member('m2')
      .member('m3')
      .contract('c1', [
        { id: 'l1', productCode: 'SW-PREMIUM', seats: 3 },
        { id: 'l2', productCode: 'ACAD', seats: 5, method: 'serial' },
      ])
      .contract('c2', [{ id: 'l3', productCode: 'SW-PREMIUM', seats: 2 }])
      .contract('old', [{ id: 'l4', productCode: 'SW-PREMIUM', seats: 50 }], { startsAt: NOW - 400 * DAY, endsAt: NOW - DAY })
      .assign('a1', 'l1', 'm1')
      .assign('a2', 'l1', 'm2')
      .assign('a3', 'l3', 'm3')
      .assign('a4', 'l4', 'm1');

  it('aggregates products over active lines only and reports every line', () => {
    const s = seatSummary(world().doc, { l1: 1, l2: 4, l4: 7 }, NOW);
    expect(s.products).toEqual([
      { productCode: 'ACAD', productName: 'AutoCAD', kind: 'desktop', owned: 5, assigned: 0, inUse: 4, free: 5 },
      { productCode: 'SW-PREMIUM', productName: 'SOLIDWORKS Premium', kind: 'desktop', owned: 5, assigned: 3, inUse: 1, free: 2 },
    ]);
    expect(s.lines.find((l) => l.lineId === 'l4')).toMatchObject({ active: false, owned: 50, assigned: 1, inUse: 7, free: 49 });
    expect(s.lines.map((l) => l.lineId).sort()).toEqual(['l1', 'l2', 'l3', 'l4']);
  });

  it('never reports negative free seats', () => {
    // A line holding more assignments than seats can only come from a hand-edited file.
    const { doc } = world().assign('a5', 'l3', 'm1').assign('a6', 'l3', 'm2');
    const s = seatSummary(doc, {}, NOW);
    expect(s.lines.find((l) => l.lineId === 'l3')).toMatchObject({ owned: 2, assigned: 3, free: 0 });
    expect(s.products.find((p) => p.productCode === 'SW-PREMIUM')!.free).toBe(1);
  });

  it('counts valid serial leases as taken seats on a serial line, online or not', () => {
    const { doc } = world();
    const lease = (jti: string, over: Partial<(typeof doc.leases)[string]> = {}) => {
      doc.leases[jti] = {
        jti, deviceId: `dev_${jti}`, subject: 'serial:SER-C1', productCode: 'ACAD', method: 'serial', lineId: 'l2',
        issuedAt: NOW - DAY, expiresAt: NOW + DAY, status: 'active', revokedAt: null, revokeReason: null, ...over,
      };
    };
    lease('j1');
    lease('j2');
    lease('j3', { status: 'revoked', revokedAt: NOW, revokeReason: 'device-revoked' });
    lease('j4', { expiresAt: NOW - 1 });
    const s = seatSummary(doc, { l2: 1 }, NOW);
    expect(s.lines.find((l) => l.lineId === 'l2')).toMatchObject({ owned: 5, assigned: 0, inUse: 1, free: 3 });
    expect(s.products.find((p) => p.productCode === 'ACAD')!.free).toBe(3);
  });

  it('is empty for an organization without contracts', () => {
    expect(seatSummary(orgDoc().doc, {}, NOW)).toEqual({ products: [], lines: [] });
  });
});

describe('findLine', () => {
  it('finds a line with its contract, and nothing for an unknown id', () => {
    const { doc } = orgDoc().contract('c1', [{ id: 'l1', productCode: 'ACAD', seats: 1 }]);
    expect(findLine(doc, 'l1')?.contract.id).toBe('c1');
    expect(findLine(doc, 'zz')).toBeUndefined();
  });
});

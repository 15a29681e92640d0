import { describe, expect, it } from 'vitest';
import { SeatkeeperError } from '../../shared/errors.js';
import { emptyGlobalDoc } from './model.js';
import { DAY, NOW, orgDoc } from '../../test/helpers/org-doc.js';
import {
  applyCreateContract,
  applyLineSeats,
  applyUpdateContract,
  requireSerialsFree,
  planCreateContract,
  planLineSeats,
  planUpdateContract,
  seatHolders,
  visibleContracts,
} from './contracts.js';

function code(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (e) {
    return (e as SeatkeeperError).code;
  }
}

let n = 0;
const ids = { contract: 'con_new', line: () => `lin_${++n}` };

describe('planCreateContract', () => {
  const body = { number: 'C-9', serials: ['ab-123 ', 'AB-123', 'xy-999'], endsAt: NOW + DAY, lines: [{ productCode: 'ACAD', seats: 3, method: 'serial' as const }] };

  it('normalizes serials upper-case without duplicates and registers them globally', () => {
    const { doc } = orgDoc();
    const g = emptyGlobalDoc();
    const c = planCreateContract(doc, g, body, ids, NOW);
    expect(c.serials).toEqual(['AB-123', 'XY-999']);
    expect(c.startsAt).toBe(NOW);
    applyCreateContract(doc, g, c);
    expect(g.serials).toEqual({ 'AB-123': 'org_a', 'XY-999': 'org_a' });
    expect(doc.contracts.con_new!.lines[0]).toMatchObject({ productCode: 'ACAD', seats: 3, method: 'serial' });
  });

  it.each([
    ['a serial another organization holds', { serials: ['AB-123'] }, 'CONFLICT'],
    ['a contract number in use', { number: 'c-c1' }, 'CONFLICT'],
    ['an unknown product', { lines: [{ productCode: 'NOPE', seats: 1, method: 'serial' as const }] }, 'VALIDATION_FAILED'],
    ['an end before the start', { startsAt: NOW, endsAt: NOW - 1 }, 'VALIDATION_FAILED'],
  ])('refuses %s', (_l, over, expected) => {
    const { doc } = orgDoc().contract('c1', []);
    const g = emptyGlobalDoc();
    g.serials['AB-123'] = 'org_b';
    expect(code(() => planCreateContract(doc, g, { ...body, ...over }, ids, NOW))).toBe(expected);
  });

  it('refuses a serial the organization itself already holds', () => {
    const g = emptyGlobalDoc();
    g.serials['SER-C1'] = 'org_a';
    expect(code(() => requireSerialsFree(g, ['ser-c1']))).toBe('CONFLICT');
  });
});

describe('planUpdateContract', () => {
  it('marks a contract ended when its end moves into the past', () => {
    const { doc } = orgDoc().contract('c1', [{ id: 'l1', productCode: 'ACAD', seats: 1 }]);
    const g = emptyGlobalDoc();
    const plan = planUpdateContract(doc, g, 'c1', { endsAt: NOW - 1 }, NOW);
    expect(plan).toMatchObject({ ended: true, started: false });
    applyUpdateContract(doc, g, plan);
    expect(doc.contracts.c1!.endsAt).toBe(NOW - 1);
    expect(plan.before.endsAt).toBe(NOW + 300 * DAY);
  });

  it('adds serials and leaves lines and methods alone', () => {
    const { doc } = orgDoc().contract('c1', [{ id: 'l1', productCode: 'ACAD', seats: 1, method: 'serial' }]);
    const g = emptyGlobalDoc();
    const plan = planUpdateContract(doc, g, 'c1', { addSerials: ['new-1'] }, NOW);
    applyUpdateContract(doc, g, plan);
    expect(doc.contracts.c1!.serials).toEqual(['SER-C1', 'NEW-1']);
    expect(doc.contracts.c1!.lines).toEqual([{ id: 'l1', productCode: 'ACAD', seats: 1, method: 'serial' }]);
    expect(plan.ended || plan.started).toBe(false);
  });

  it('answers NOT_FOUND for an unknown contract', () => {
    expect(code(() => planUpdateContract(orgDoc().doc, emptyGlobalDoc(), 'nope', { endsAt: NOW }, NOW))).toBe('NOT_FOUND');
  });
});

describe('planLineSeats', () => {
  it('refuses to go below the seats assigned now, saying how many to unassign', () => {
    const { doc } = orgDoc()
      .member('m1')
      .member('m2')
      .member('m3')
      .contract('c1', [{ id: 'l1', productCode: 'SW-PREMIUM', seats: 5 }])
      .assign('a1', 'l1', 'm1')
      .assign('a2', 'l1', 'm2')
      .assign('a3', 'l1', 'm3');
    let err: SeatkeeperError | undefined;
    try {
      planLineSeats(doc, 'c1', 'l1', 1);
    } catch (e) {
      err = e as SeatkeeperError;
    }
    expect(err?.code).toBe('SEAT_LIMIT_REACHED');
    expect(err?.message).toMatch(/3 seats .* are assigned; unassign 2/);
    applyLineSeats(doc, planLineSeats(doc, 'c1', 'l1', 3));
    expect(doc.contracts.c1!.lines[0]!.seats).toBe(3);
  });

  it('answers NOT_FOUND for a line of another contract', () => {
    const { doc } = orgDoc().contract('c1', [{ id: 'l1', productCode: 'ACAD', seats: 1 }]).contract('c2', []);
    expect(code(() => planLineSeats(doc, 'c2', 'l1', 1))).toBe('NOT_FOUND');
  });
});

describe('visibleContracts', () => {
  it('shows org admins all, team admins their teams, refuses plain members', () => {
    const { doc } = orgDoc()
      .member('admin', 'admin')
      .member('ta')
      .member('m')
      .contract('c1', [])
      .contract('c2', [])
      .team('t', { adminIds: ['ta'], contractIds: ['c2'] });
    expect(visibleContracts(doc, 'admin').map((c) => c.id).sort()).toEqual(['c1', 'c2']);
    expect(visibleContracts(doc, 'ta').map((c) => c.id)).toEqual(['c2']);
    expect(code(() => visibleContracts(doc, 'm'))).toBe('FORBIDDEN');
  });
});

describe('seatHolders', () => {
  it("lists each account holding seats of the contract with the products' names, and no one else", () => {
    const { doc } = orgDoc()
      .member('acc_a')
      .member('acc_b')
      .member('acc_c')
      .contract('con_1', [
        { id: 'lin_sw', productCode: 'SW-PREMIUM', seats: 5 },
        { id: 'lin_acad', productCode: 'ACAD', seats: 5, method: 'serial' },
      ])
      .contract('con_2', [{ id: 'lin_other', productCode: 'SW-PREMIUM', seats: 5 }])
      .assign('asg_1', 'lin_sw', 'acc_b')
      .assign('asg_2', 'lin_acad', 'acc_b')
      .assign('asg_3', 'lin_sw', 'acc_a')
      .assign('asg_4', 'lin_other', 'acc_c');
    expect(seatHolders(doc, doc.contracts.con_1!)).toEqual([
      { accountId: 'acc_a', products: ['SOLIDWORKS Premium'] },
      { accountId: 'acc_b', products: ['AutoCAD', 'SOLIDWORKS Premium'] },
    ]);
    expect(seatHolders(doc, doc.contracts.con_2!)).toEqual([{ accountId: 'acc_c', products: ['SOLIDWORKS Premium'] }]);
  });
});

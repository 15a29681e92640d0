import { describe, expect, it } from 'vitest';
import { SeatkeeperError } from '../../shared/errors.js';
import { DAY, NOW, orgDoc } from '../../test/helpers/org-doc.js';
import {
  applyAssign,
  applyReassign,
  applyUnassign,
  planAssign,
  planReassign,
  planUnassign,
  visibleAssignments,
} from './assignments.js';

/** admin, team admin "ta" of team t1 (members m1, m2; contract c1), plain members m1..m4 */
function world() {
  return orgDoc()
    .member('admin', 'admin')
    .member('owner', 'owner')
    .member('ta')
    .member('m1')
    .member('m2')
    .member('m3')
    .member('m4')
    .contract('c1', [{ id: 'l1', productCode: 'SW-PREMIUM', seats: 2 }, { id: 'l1s', productCode: 'ACAD', seats: 2, method: 'serial' }])
    .contract('c2', [{ id: 'l2', productCode: 'REVIT', seats: 5 }])
    .contract('old', [{ id: 'lold', productCode: 'ACAD', seats: 5 }], { startsAt: NOW - 400 * DAY, endsAt: NOW - DAY })
    .contract('future', [{ id: 'lfut', productCode: 'ACAD', seats: 5 }], { startsAt: NOW + DAY, endsAt: NOW + 400 * DAY })
    .team('t1', { memberIds: ['m1', 'm2'], adminIds: ['ta'], contractIds: ['c1'] });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof SeatkeeperError) return e.code;
    throw e;
  }
  return 'OK';
}

const assign = (doc: ReturnType<typeof world>['doc'], actorId: string, lineId: string, accountId: string) =>
  planAssign(doc, { actorId, lineId, accountId, now: NOW, id: `asg_${lineId}_${accountId}` });

describe('planAssign', () => {
  it.each([
    ['an org admin', 'admin', 'l2', 'm3', 'OK'],
    ['the owner', 'owner', 'l1', 'm4', 'OK'],
    ['a team admin, own contract and member', 'ta', 'l1', 'm1', 'OK'],
    ['a team admin, contract of no team of theirs', 'ta', 'l2', 'm1', 'FORBIDDEN'],
    ['a team admin, member outside their teams', 'ta', 'l1', 'm3', 'FORBIDDEN'],
    ['a plain member', 'm1', 'l1', 'm2', 'FORBIDDEN'],
    ['an unknown line', 'admin', 'nope', 'm1', 'NOT_FOUND'],
    ['an account that is not a member', 'admin', 'l1', 'stranger', 'NOT_FOUND'],
    ['an ended contract', 'admin', 'lold', 'm1', 'CONTRACT_NOT_ACTIVE'],
    ['a contract not started', 'admin', 'lfut', 'm1', 'CONTRACT_NOT_ACTIVE'],
    ['a serial-activated line (no seat to give; every workstation with its serial uses it)', 'admin', 'l1s', 'm1', 'LINE_NOT_ASSIGNABLE'],
  ])('%s → %s', (_label, actor, line, account, code) => {
    const { doc } = world();
    expect(codeOf(() => assign(doc, actor, line, account))).toBe(code);
  });

  it('refuses a second seat of the same line for the same member', () => {
    const { doc } = world().assign('a1', 'l1', 'm1');
    expect(codeOf(() => assign(doc, 'admin', 'l1', 'm1'))).toBe('ALREADY_ASSIGNED');
  });

  it('refuses when every seat is taken, naming the product and contract', () => {
    const { doc } = world().assign('a1', 'l1', 'm1').assign('a2', 'l1', 'm2');
    const before = JSON.stringify(doc);
    let err: SeatkeeperError | undefined;
    try {
      assign(doc, 'admin', 'l1', 'm3');
    } catch (e) {
      err = e as SeatkeeperError;
    }
    expect(err?.code).toBe('SEAT_LIMIT_REACHED');
    expect(err?.message).toMatch(/All 2 seats of SOLIDWORKS Premium on contract C-c1/);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it('plans without changing the document; apply adds exactly the planned assignment', () => {
    const { doc } = world();
    const before = JSON.stringify(doc);
    const plan = assign(doc, 'admin', 'l1', 'm3');
    expect(JSON.stringify(doc)).toBe(before);
    applyAssign(doc, plan);
    expect(doc.assignments[plan.added.id]).toEqual({ id: plan.added.id, lineId: 'l1', accountId: 'm3', assignedBy: 'admin', assignedAt: NOW });
  });

  it('never lets a line exceed its seats, however many ask', () => {
    const { doc } = world();
    const results = ['m1', 'm2', 'm3', 'm4', 'admin', 'ta'].map((m) => codeOf(() => applyAssign(doc, assign(doc, 'admin', 'l1', m))));
    expect(results.filter((r) => r === 'OK')).toHaveLength(2);
    expect(results.filter((r) => r === 'SEAT_LIMIT_REACHED')).toHaveLength(4);
  });
});

describe('planUnassign', () => {
  it.each([
    ['an org admin', 'admin', 'a1', 'OK'],
    ['a team admin of the member and contract', 'ta', 'a1', 'OK'],
    ['a team admin, member outside their teams', 'ta', 'a3', 'FORBIDDEN'],
    ['a plain member, even their own seat', 'm1', 'a1', 'FORBIDDEN'],
    ['an unknown assignment', 'admin', 'nope', 'NOT_FOUND'],
    ['a seat of an ended contract', 'admin', 'aold', 'OK'],
  ])('%s → %s', (_label, actor, id, code) => {
    const { doc } = world().assign('a1', 'l1', 'm1').assign('a3', 'l1', 'm3').assign('aold', 'lold', 'm2');
    expect(codeOf(() => applyUnassign(doc, planUnassign(doc, actor, id)))).toBe(code);
    if (code === 'OK') expect(doc.assignments[id]).toBeUndefined();
  });
});

describe('planReassign', () => {
  const reassign = (doc: ReturnType<typeof world>['doc'], actorId: string, assignmentId: string, accountId: string) =>
    planReassign(doc, { actorId, assignmentId, accountId, now: NOW, id: 'asg_new' });

  it('moves a seat of a full line from A to B in one step', () => {
    const { doc } = world().assign('a1', 'l1', 'm1').assign('a2', 'l1', 'm2');
    const plan = reassign(doc, 'admin', 'a1', 'm3');
    applyReassign(doc, plan);
    expect(doc.assignments.a1).toBeUndefined();
    expect(doc.assignments.asg_new).toMatchObject({ lineId: 'l1', accountId: 'm3', assignedBy: 'admin' });
    expect(Object.values(doc.assignments).filter((a) => a.lineId === 'l1')).toHaveLength(2);
  });

  it.each([
    ['to the holder', 'admin', 'a1', 'm1', 'ALREADY_ASSIGNED'],
    ['to someone already holding the line', 'admin', 'a1', 'm2', 'ALREADY_ASSIGNED'],
    ['to a non-member', 'admin', 'a1', 'stranger', 'NOT_FOUND'],
    ['an unknown assignment', 'admin', 'nope', 'm3', 'NOT_FOUND'],
    ['by a team admin to a member outside their teams', 'ta', 'a1', 'm3', 'FORBIDDEN'],
    ['by a team admin to themselves (not a member of their team)', 'ta', 'a1', 'ta', 'FORBIDDEN'],
    ['by a plain member', 'm1', 'a1', 'm3', 'FORBIDDEN'],
    ['on an ended contract', 'admin', 'aold', 'm3', 'CONTRACT_NOT_ACTIVE'],
  ])('refuses a reassign %s → %s', (_label, actor, id, to, code) => {
    const { doc } = world().assign('a1', 'l1', 'm1').assign('a2', 'l1', 'm2').assign('aold', 'lold', 'm1');
    const before = JSON.stringify(doc);
    expect(codeOf(() => reassign(doc, actor, id, to))).toBe(code);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it('lets a team admin move a seat between members of their team', () => {
    const { doc } = world().assign('a1', 'l1', 'm1');
    expect(codeOf(() => reassign(doc, 'ta', 'a1', 'm2'))).toBe('OK');
  });
});

describe('visibleAssignments', () => {
  it('shows admins everything, team admins their teams, members nothing', () => {
    const { doc } = world().assign('a1', 'l1', 'm1').assign('a3', 'l1', 'm3').assign('a4', 'l2', 'm2');
    expect(visibleAssignments(doc, 'admin').map((a) => a.id).sort()).toEqual(['a1', 'a3', 'a4']);
    expect(visibleAssignments(doc, 'ta').map((a) => a.id)).toEqual(['a1']);
    expect(codeOf(() => visibleAssignments(doc, 'm1'))).toBe('FORBIDDEN');
  });
});

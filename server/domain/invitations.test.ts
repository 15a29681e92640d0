import { describe, expect, it } from 'vitest';
import { SeatkeeperError } from '../../shared/errors.js';
import { demoCatalog } from '../../shared/catalog.js';
import { emptyOrgDoc, type Invitation, type OrgDoc, type Role } from './model.js';
import {
  applyAccept,
  applyResend,
  canManageInvitation,
  invitationState,
  planAccept,
  planLineAssignments,
  planResend,
  requireAcceptable,
  requireInvitable,
  seatsFree,
} from './invitations.js';

const DAY = 24 * 3600 * 1000;
const NOW = 1_700_000_000_000;

function fixture(): OrgDoc {
  const doc = emptyOrgDoc({
    id: 'org_1', name: 'Acme', aliasDomains: [], salt: 's', claimedBy: 'acc_owner', claimedAt: 0, termsAcceptedAt: 0, settings: { leaseTtlSeconds: 60 }, createdAt: 0,
  });
  doc.products = Object.fromEntries(demoCatalog.map((p) => [p.code, p]));
  doc.contracts = {
    con_a: { id: 'con_a', number: 'C-A', serials: [], startsAt: NOW - DAY, endsAt: NOW + 300 * DAY, lines: [
      { id: 'lin_sw', productCode: 'SW-PREMIUM', seats: 2, method: 'named-user' },
      { id: 'lin_bim', productCode: 'BIM-COLLAB', seats: 1, method: 'named-user' },
      { id: 'lin_acad', productCode: 'ACAD', seats: 3, method: 'serial' },
    ] },
    con_old: { id: 'con_old', number: 'C-OLD', serials: [], startsAt: NOW - 400 * DAY, endsAt: NOW - DAY, lines: [
      { id: 'lin_old', productCode: 'ACAD', seats: 5, method: 'serial' },
    ] },
  };
  const member = (id: string, role: Role) => (doc.members[id] = { accountId: id, role, joinedAt: 0 });
  member('acc_owner', 'owner');
  member('acc_admin', 'admin');
  member('acc_lead', 'member');
  member('acc_joe', 'member');
  doc.teams = {
    tea_1: { id: 'tea_1', name: 'Bridges', memberIds: ['acc_lead'], adminIds: ['acc_lead'], contractIds: ['con_a'], createdAt: 0 },
    tea_2: { id: 'tea_2', name: 'Tunnels', memberIds: [], adminIds: [], contractIds: [], createdAt: 0 },
  };
  return doc;
}

const assign = (doc: OrgDoc, id: string, lineId: string, accountId: string) =>
  (doc.assignments[id] = { id, lineId, accountId, assignedBy: 'acc_owner', assignedAt: 0 });

function code(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return e instanceof SeatkeeperError ? e.code : String(e);
  }
}

describe('seatsFree', () => {
  it('counts the seats of a line not yet assigned, never below zero', () => {
    const doc = fixture();
    expect(seatsFree(doc, 'lin_sw')).toBe(2);
    assign(doc, 'asg_1', 'lin_sw', 'acc_joe');
    expect(seatsFree(doc, 'lin_sw')).toBe(1);
    assign(doc, 'asg_2', 'lin_sw', 'acc_admin');
    assign(doc, 'asg_3', 'lin_sw', 'acc_owner');
    expect(seatsFree(doc, 'lin_sw')).toBe(0);
    expect(seatsFree(doc, 'lin_nope')).toBe(0);
  });
});

describe('planLineAssignments', () => {
  it('assigns as far as seats allow and says why the rest are skipped', () => {
    const doc = fixture();
    assign(doc, 'asg_1', 'lin_bim', 'acc_admin');
    assign(doc, 'asg_2', 'lin_sw', 'acc_joe');
    const plan = planLineAssignments(doc, 'acc_joe', ['lin_sw', 'lin_bim', 'lin_old', 'lin_gone', 'lin_bim'], NOW);
    expect(plan.assign).toEqual([]);
    expect(plan.notAssigned).toEqual([
      { lineId: 'lin_sw', productCode: 'SW-PREMIUM', reason: 'ALREADY_ASSIGNED' },
      { lineId: 'lin_bim', productCode: 'BIM-COLLAB', reason: 'SEAT_LIMIT_REACHED' },
      { lineId: 'lin_old', productCode: 'ACAD', reason: 'CONTRACT_NOT_ACTIVE' },
      { lineId: 'lin_gone', productCode: null, reason: 'NOT_FOUND' },
    ]);
    const fresh = planLineAssignments(doc, 'acc_new', ['lin_sw', 'lin_acad'], NOW);
    expect(fresh.assign).toEqual([{ lineId: 'lin_sw', productCode: 'SW-PREMIUM' }]);
    // Invited before the line switched to serial: nothing to assign now.
    expect(fresh.notAssigned).toEqual([{ lineId: 'lin_acad', productCode: 'ACAD', reason: 'LINE_NOT_ASSIGNABLE' }]);
  });
});

describe('invitation state', () => {
  const inv = (over: Partial<Invitation> = {}): Invitation => ({
    id: 'inv_1', email: 'a@acme.test', role: 'member', lineIds: [], teamId: null, tokenHash: 'h', createdBy: 'acc_owner',
    createdAt: NOW, sentAt: NOW, expiresAt: NOW + 7 * DAY, status: 'pending', acceptedBy: null, ...over,
  });
  it.each([
    [inv(), NOW, 'pending', 'ok'],
    [inv(), NOW + 7 * DAY - 1, 'pending', 'ok'],
    [inv(), NOW + 7 * DAY, 'expired', 'INVITATION_EXPIRED'],
    [inv({ status: 'accepted' }), NOW, 'accepted', 'INVITATION_CLOSED'],
    [inv({ status: 'cancelled' }), NOW, 'cancelled', 'INVITATION_CLOSED'],
    [inv({ status: 'cancelled' }), NOW + 30 * DAY, 'cancelled', 'INVITATION_CLOSED'],
  ] as const)('%# is %s and accepting it gives %s', (i, at, state, outcome) => {
    expect(invitationState(i, at)).toBe(state);
    expect(code(() => requireAcceptable(i, at))).toBe(outcome);
  });
});

describe('requireInvitable', () => {
  const body = (over: Record<string, unknown> = {}) => ({ email: 'new@acme.test', role: 'member' as Role, ...over });
  it.each([
    ['an admin inviting a member', 'acc_admin', body(), undefined, 'ok'],
    ['an admin inviting an admin with lines and a team', 'acc_admin', body({ role: 'admin', lineIds: ['lin_sw'], teamId: 'tea_2' }), undefined, 'ok'],
    ['an admin inviting an owner', 'acc_admin', body({ role: 'owner' }), undefined, 'FORBIDDEN'],
    ['an owner inviting an owner', 'acc_owner', body({ role: 'owner' }), undefined, 'ok'],
    ['a plain member', 'acc_joe', body(), undefined, 'FORBIDDEN'],
    ['a team admin into their team', 'acc_lead', body({ teamId: 'tea_1', lineIds: ['lin_sw'] }), undefined, 'ok'],
    ['a team admin without a team', 'acc_lead', body(), undefined, 'FORBIDDEN'],
    ['a team admin into another team', 'acc_lead', body({ teamId: 'tea_2' }), undefined, 'FORBIDDEN'],
    ['a team admin inviting an admin', 'acc_lead', body({ role: 'admin', teamId: 'tea_1' }), undefined, 'FORBIDDEN'],
    ['a team admin giving a line outside their contracts', 'acc_lead', body({ teamId: 'tea_1', lineIds: ['lin_old'] }), undefined, 'FORBIDDEN'],
    ['an unknown team', 'acc_admin', body({ teamId: 'tea_x' }), undefined, 'NOT_FOUND'],
    ['an unknown line', 'acc_admin', body({ lineIds: ['lin_x'] }), undefined, 'NOT_FOUND'],
    ['a serial-activated line (no seat to give)', 'acc_admin', body({ lineIds: ['lin_acad'] }), undefined, 'LINE_NOT_ASSIGNABLE'],
    ['an existing member', 'acc_admin', body({ email: 'joe@acme.test' }), 'acc_joe', 'ALREADY_MEMBER'],
    ['an account that is not a member yet', 'acc_admin', body(), 'acc_elsewhere', 'ok'],
  ])('%s → %s', (_label, actor, b, accountId, expected) => {
    expect(code(() => requireInvitable(fixture(), actor, b, accountId))).toBe(expected);
  });

  it('refuses a second pending invitation for the same email with CONFLICT', () => {
    const doc = fixture();
    doc.invitations.inv_1 = {
      id: 'inv_1', email: 'new@acme.test', role: 'member', lineIds: [], teamId: null, tokenHash: 'h', createdBy: 'acc_owner',
      createdAt: NOW, sentAt: NOW, expiresAt: NOW + DAY, status: 'pending', acceptedBy: null,
    };
    expect(code(() => requireInvitable(doc, 'acc_admin', body(), undefined))).toBe('CONFLICT');
    doc.invitations.inv_1.status = 'cancelled';
    expect(code(() => requireInvitable(doc, 'acc_admin', body(), undefined))).toBe('ok');
  });

  it('lets team admins manage only member invitations into their teams', () => {
    const doc = fixture();
    expect(canManageInvitation(doc, 'acc_lead', { role: 'member', teamId: 'tea_1' })).toBe(true);
    expect(canManageInvitation(doc, 'acc_lead', { role: 'admin', teamId: 'tea_1' })).toBe(false);
    expect(canManageInvitation(doc, 'acc_lead', { role: 'member', teamId: 'tea_2' })).toBe(false);
    expect(canManageInvitation(doc, 'acc_lead', { role: 'member', teamId: null })).toBe(false);
    expect(canManageInvitation(doc, 'acc_admin', { role: 'owner', teamId: null })).toBe(true);
  });
});

describe('resend and accept', () => {
  const pending = (doc: OrgDoc, over: Partial<Invitation> = {}): Invitation =>
    (doc.invitations.inv_1 = {
      id: 'inv_1', email: 'new@acme.test', role: 'member', lineIds: ['lin_sw'], teamId: 'tea_1', tokenHash: 'h1', createdBy: 'acc_owner',
      createdAt: NOW, sentAt: NOW, expiresAt: NOW + DAY, status: 'pending', acceptedBy: null, ...over,
    });

  it('tells a link a resend replaced from one that never existed', () => {
    const doc = fixture();
    pending(doc);
    applyResend(doc, planResend(doc, 'acc_admin', 'inv_1', { tokenHash: 'h2', now: NOW + 1, ttlMs: DAY }));
    const accept = (tokenHash: string) => () =>
      planAccept(doc, {}, { invitationId: 'inv_1', tokenHash, acceptor: { accountId: 'acc_new' }, now: NOW + 2, newAssignmentId: () => 'asg_x' });
    expect(code(accept('h1'))).toBe('INVITATION_SUPERSEDED');
    expect(code(accept('h0'))).toBe('NOT_FOUND');
    expect(code(accept('h2'))).toBe('ok');
  });

  it('plans the membership, the team and the seats, then applies them in one step', () => {
    const doc = fixture();
    pending(doc);
    const accounts = {};
    const plan = planAccept(doc, accounts, {
      invitationId: 'inv_1', tokenHash: 'h1', acceptor: { accountId: 'acc_new', create: { name: 'New', passwordHash: 'x', existing: false } }, now: NOW, newAssignmentId: () => 'asg_new',
    });
    expect(doc.members.acc_new).toBeUndefined();
    expect(plan).toMatchObject({ role: 'member', teamId: 'tea_1', joinsTeam: true, assigned: [{ assignmentId: 'asg_new', lineId: 'lin_sw', productCode: 'SW-PREMIUM' }], projectLines: ['lin_bim'] });
    applyAccept(doc, accounts, plan, NOW);
    expect(doc.members.acc_new?.role).toBe('member');
    expect(doc.teams.tea_1!.memberIds).toContain('acc_new');
    expect(doc.assignments.asg_new).toMatchObject({ lineId: 'lin_sw', accountId: 'acc_new', assignedBy: 'acc_owner' });
    expect(doc.invitations.inv_1).toMatchObject({ status: 'accepted', acceptedBy: 'acc_new' });
    expect(code(() => planAccept(doc, accounts, { invitationId: 'inv_1', tokenHash: 'h1', acceptor: { accountId: 'acc_new' }, now: NOW, newAssignmentId: () => 'asg_2' }))).toBe('INVITATION_CLOSED');
  });
});

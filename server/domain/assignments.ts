// Who may hold which seat. Each `plan*` checks every rule against the organization document and
// returns what should change, touching nothing; `apply*` makes the change. Inside one store
// transaction (synchronous) plan-then-apply is atomic, so concurrent requests can never push a
// line past its seats.
import { SeatkeeperError } from '../../shared/errors.js';
import type { Assignment, OrgDoc } from './model.js';
import { canManageLine, canManageMember, isOrgAdmin, isTeamAdmin } from './permissions.js';
import { assignedCount, isContractActive, requireLine, type LineRef } from './seats.js';

/** Org admins manage every seat; team admins the seats of their teams; members none. */
export function mayManageSeats(doc: OrgDoc, actorId: string): boolean {
  return isOrgAdmin(doc, actorId) || isTeamAdmin(doc, actorId);
}

function requireManager(doc: OrgDoc, actorId: string): void {
  if (!mayManageSeats(doc, actorId)) {
    throw new SeatkeeperError('FORBIDDEN', 'Only administrators and team administrators may assign seats.');
  }
}

function requireMember(doc: OrgDoc, accountId: string): void {
  // Someone from another organization answers exactly like someone who does not exist.
  if (!doc.members[accountId]) throw new SeatkeeperError('NOT_FOUND', 'No such member.');
}

function requireLineRights(doc: OrgDoc, actorId: string, ref: LineRef): void {
  if (!canManageLine(doc, actorId, ref.line.id)) {
    throw new SeatkeeperError('FORBIDDEN', `Contract ${ref.contract.number} is not attached to a team you administer.`);
  }
}

function requireMemberRights(doc: OrgDoc, actorId: string, accountId: string): void {
  if (!canManageMember(doc, actorId, accountId)) {
    throw new SeatkeeperError('FORBIDDEN', 'That member is not in a team you administer.');
  }
}

function requireActive(ref: LineRef, now: number): void {
  if (!isContractActive(ref.contract, now)) {
    const when = now < ref.contract.startsAt ? 'has not started yet' : 'has ended';
    throw new SeatkeeperError('CONTRACT_NOT_ACTIVE', `Contract ${ref.contract.number} ${when}; its seats cannot be assigned.`);
  }
}

/** A serial-activated line has no seats to give: every workstation with its serial uses it. */
export function requireAssignable(doc: OrgDoc, ref: LineRef): void {
  if (ref.line.method === 'serial') {
    throw new SeatkeeperError(
      'LINE_NOT_ASSIGNABLE',
      `${productName(doc, ref)} on contract ${ref.contract.number} is activated by serial number: every enrolled workstation with its serial may use it, and there is no seat to assign. Switch the line to named-user to assign seats.`,
      { lineId: ref.line.id },
    );
  }
}

function requireNotHolding(doc: OrgDoc, ref: LineRef, accountId: string, seats?: SeatLookup): void {
  const holds = seats ? seats.holds(ref.line.id, accountId) : Object.values(doc.assignments).some((a) => a.lineId === ref.line.id && a.accountId === accountId);
  if (holds) {
    throw new SeatkeeperError('ALREADY_ASSIGNED', `That member already holds a seat of ${productName(doc, ref)} on contract ${ref.contract.number}.`);
  }
}

export function productName(doc: OrgDoc, ref: LineRef): string {
  return doc.products[ref.line.productCode]?.name ?? ref.line.productCode;
}

export interface AssignInput {
  actorId: string;
  lineId: string;
  accountId: string;
  now: number;
  /** id of the new assignment */
  id: string;
}

export interface AssignPlan {
  ref: LineRef;
  added: Assignment;
}

/**
 * Who holds which seat, kept by a caller that plans many assignments on one document (the bulk
 * import): without it each plan scans every assignment, and 5,000 rows became quadratic.
 * It must answer exactly as the document would.
 */
export interface SeatLookup {
  holds(lineId: string, accountId: string): boolean;
  assigned(lineId: string): number;
}

export function planAssign(doc: OrgDoc, input: AssignInput, seats?: SeatLookup): AssignPlan {
  requireManager(doc, input.actorId);
  const ref = requireLine(doc, input.lineId);
  requireMember(doc, input.accountId);
  requireLineRights(doc, input.actorId, ref);
  requireMemberRights(doc, input.actorId, input.accountId);
  requireActive(ref, input.now);
  requireAssignable(doc, ref);
  requireNotHolding(doc, ref, input.accountId, seats);
  const taken = seats ? seats.assigned(ref.line.id) : assignedCount(doc, ref.line.id);
  if (taken >= ref.line.seats) {
    throw new SeatkeeperError(
      'SEAT_LIMIT_REACHED',
      `All ${ref.line.seats} seats of ${productName(doc, ref)} on contract ${ref.contract.number} are assigned. Unassign one, or reassign a seat instead.`,
      { lineId: ref.line.id, seats: ref.line.seats, assigned: taken },
    );
  }
  return {
    ref,
    added: { id: input.id, lineId: ref.line.id, accountId: input.accountId, assignedBy: input.actorId, assignedAt: input.now },
  };
}

export function applyAssign(doc: OrgDoc, plan: AssignPlan): void {
  doc.assignments[plan.added.id] = plan.added;
}

export interface UnassignPlan {
  ref: LineRef;
  removed: Assignment;
}

export function requireAssignment(doc: OrgDoc, assignmentId: string): Assignment {
  const a = doc.assignments[assignmentId];
  if (!a) throw new SeatkeeperError('NOT_FOUND', 'No such assignment.');
  return a;
}

/** Unassigning is allowed on any contract, active or not: it only ever takes rights away. */
export function planUnassign(doc: OrgDoc, actorId: string, assignmentId: string): UnassignPlan {
  requireManager(doc, actorId);
  const removed = requireAssignment(doc, assignmentId);
  const ref = requireLine(doc, removed.lineId);
  requireLineRights(doc, actorId, ref);
  requireMemberRights(doc, actorId, removed.accountId);
  return { ref, removed };
}

export function applyUnassign(doc: OrgDoc, plan: UnassignPlan): void {
  delete doc.assignments[plan.removed.id];
}

export interface ReassignInput {
  actorId: string;
  assignmentId: string;
  /** the new holder */
  accountId: string;
  now: number;
  /** id of the new assignment */
  id: string;
}

export interface ReassignPlan {
  ref: LineRef;
  removed: Assignment;
  added: Assignment;
}

/** Moves a seat from its holder to another member in one step, so it works on a full line. */
export function planReassign(doc: OrgDoc, input: ReassignInput): ReassignPlan {
  requireManager(doc, input.actorId);
  const removed = requireAssignment(doc, input.assignmentId);
  const ref = requireLine(doc, removed.lineId);
  requireMember(doc, input.accountId);
  requireLineRights(doc, input.actorId, ref);
  requireMemberRights(doc, input.actorId, removed.accountId);
  requireMemberRights(doc, input.actorId, input.accountId);
  requireActive(ref, input.now);
  requireAssignable(doc, ref);
  requireNotHolding(doc, ref, input.accountId);
  return {
    ref,
    removed,
    added: { id: input.id, lineId: ref.line.id, accountId: input.accountId, assignedBy: input.actorId, assignedAt: input.now },
  };
}

export function applyReassign(doc: OrgDoc, plan: ReassignPlan): void {
  delete doc.assignments[plan.removed.id];
  doc.assignments[plan.added.id] = plan.added;
}

/** The assignments `actorId` may see: all for org admins, those they could manage for team admins. */
export function visibleAssignments(doc: OrgDoc, actorId: string): Assignment[] {
  requireManager(doc, actorId);
  const all = Object.values(doc.assignments);
  if (isOrgAdmin(doc, actorId)) return all;
  return all.filter((a) => canManageLine(doc, actorId, a.lineId) && canManageMember(doc, actorId, a.accountId));
}

// Invitation rules: who may invite whom, an invitation's state over time, and which of its
// contract lines can be assigned when it is accepted. Seats per line are never exceeded: the
// count is seats.ts's, the same the assignments route uses (assignments on the line < seats).
import { SeatkeeperError } from '../../shared/errors.js';
import type { CreateInvitationBody, NotAssignedReason } from '../../shared/api/invitations.js';
import type { Invitation, OrgDoc } from './model.js';
import { canManageLine, isOrgAdmin, teamsAdministeredBy } from './permissions.js';
import { assignedCount, findLine, isContractActive } from './seats.js';

/** Seats of the line not assigned to anyone; 0 for an unknown line. */
export function seatsFree(doc: OrgDoc, lineId: string): number {
  const found = findLine(doc, lineId);
  return found ? Math.max(0, found.line.seats - assignedCount(doc, lineId)) : 0;
}

export interface LinePlan {
  assign: Array<{ lineId: string; productCode: string }>;
  notAssigned: Array<{ lineId: string; productCode: string | null; reason: NotAssignedReason }>;
}

/** Which of `lineIds` `accountId` can be given now, in order, as far as seats allow. */
export function planLineAssignments(doc: OrgDoc, accountId: string, lineIds: readonly string[], now: number): LinePlan {
  const plan: LinePlan = { assign: [], notAssigned: [] };
  for (const lineId of new Set(lineIds)) {
    const found = findLine(doc, lineId);
    if (!found) {
      plan.notAssigned.push({ lineId, productCode: null, reason: 'NOT_FOUND' });
      continue;
    }
    const productCode = found.line.productCode;
    const held = Object.values(doc.assignments).some((a) => a.lineId === lineId && a.accountId === accountId);
    if (held) plan.notAssigned.push({ lineId, productCode, reason: 'ALREADY_ASSIGNED' });
    else if (!isContractActive(found.contract, now)) plan.notAssigned.push({ lineId, productCode, reason: 'CONTRACT_NOT_ACTIVE' });
    else if (seatsFree(doc, lineId) <= 0) plan.notAssigned.push({ lineId, productCode, reason: 'SEAT_LIMIT_REACHED' });
    else plan.assign.push({ lineId, productCode });
  }
  return plan;
}

export type InvitationState = 'pending' | 'expired' | 'accepted' | 'cancelled';

export function invitationState(inv: Invitation, now: number): InvitationState {
  if (inv.status !== 'pending') return inv.status;
  return inv.expiresAt <= now ? 'expired' : 'pending';
}

/** Throws unless the invitation can be accepted now. */
export function assertAcceptable(inv: Invitation, now: number): void {
  const state = invitationState(inv, now);
  if (state === 'expired') throw new SeatkeeperError('INVITATION_EXPIRED', 'This invitation has expired. Ask an administrator to send it again.');
  if (state !== 'pending') {
    throw new SeatkeeperError('INVITATION_CLOSED', state === 'accepted' ? 'This invitation has already been used.' : 'This invitation was cancelled.');
  }
}

/** Org admins manage every invitation; a team admin those inviting members into their teams. */
export function canManageInvitation(doc: OrgDoc, actorId: string, inv: Pick<Invitation, 'role' | 'teamId'>): boolean {
  if (isOrgAdmin(doc, actorId)) return true;
  if (inv.role !== 'member' || !inv.teamId) return false;
  return teamsAdministeredBy(doc, actorId).some((t) => t.id === inv.teamId);
}

/**
 * Validates an invitation before it is created. `memberAccountId` is the account the email
 * belongs to, if any. Throws FORBIDDEN, NOT_FOUND, ALREADY_MEMBER or CONFLICT.
 */
export function checkInvite(doc: OrgDoc, actorId: string, body: CreateInvitationBody, memberAccountId: string | undefined): void {
  const lineIds = body.lineIds ?? [];
  const admin = isOrgAdmin(doc, actorId);
  if (!admin) {
    if (teamsAdministeredBy(doc, actorId).length === 0) throw new SeatkeeperError('FORBIDDEN', 'Only administrators may invite people.');
    if (body.role !== 'member') throw new SeatkeeperError('FORBIDDEN', 'A team administrator may invite members only; ask an organization administrator.');
    if (!body.teamId) throw new SeatkeeperError('FORBIDDEN', 'A team administrator invites into one of their teams: give teamId.');
  }
  if (body.role === 'owner' && doc.members[actorId]?.role !== 'owner') throw new SeatkeeperError('FORBIDDEN', 'Only an owner may invite an owner.');
  if (body.teamId && !doc.teams[body.teamId]) throw new SeatkeeperError('NOT_FOUND', 'No such team.');
  if (!canManageInvitation(doc, actorId, { role: body.role, teamId: body.teamId ?? null })) {
    throw new SeatkeeperError('FORBIDDEN', 'You may invite only into teams you administer.');
  }
  for (const lineId of lineIds) {
    if (!findLine(doc, lineId)) throw new SeatkeeperError('NOT_FOUND', `No contract line ${lineId}.`);
    if (!canManageLine(doc, actorId, lineId)) throw new SeatkeeperError('FORBIDDEN', `You may not assign seats of line ${lineId}.`);
  }
  if (memberAccountId && doc.members[memberAccountId]) throw new SeatkeeperError('ALREADY_MEMBER', `${body.email} is already a member of ${doc.org.name}.`);
  const pending = Object.values(doc.invitations).find((i) => i.status === 'pending' && i.email === body.email);
  if (pending) {
    throw new SeatkeeperError('CONFLICT', `${body.email} already has a pending invitation; resend or cancel it instead.`, { invitationId: pending.id });
  }
}

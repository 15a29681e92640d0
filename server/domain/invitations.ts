// Invitation rules: who may invite whom, an invitation's state over time, resend and cancel, and
// what accepting one does (account, membership, team, seats). Each `plan*` checks against the
// documents and changes nothing; `apply*` makes the change inside the same store transaction.
// Seats per line are never exceeded: the count is seats.ts's, the same the assignments use.
import { SeatkeeperError } from '../../shared/errors.js';
import type { CreateInvitationBody, NotAssignedReason } from '../../shared/api/invitations.js';
import type { Account, Invitation, Membership, OrgDoc, Role } from './model.js';
import { canManageLine, isOrgAdmin, isTeamAdmin, teamsAdministeredBy } from './permissions.js';
import { higherRole } from './roles.js';
import { projectLineIds } from './teams.js';
import { requireAssignable } from './assignments.js';
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
    // An invitation made before its line switched to serial: there is no seat to give any more.
    else if (found.line.method === 'serial') plan.notAssigned.push({ lineId, productCode, reason: 'LINE_NOT_ASSIGNABLE' });
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
export function requireAcceptable(inv: Invitation, now: number): void {
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

/** Pending invitations `actorId` may manage, newest first (admins and team admins only). */
export function pendingInvitationsFor(doc: OrgDoc, actorId: string): Invitation[] {
  if (!isOrgAdmin(doc, actorId) && !isTeamAdmin(doc, actorId)) throw new SeatkeeperError('FORBIDDEN', 'Only administrators may see invitations.');
  return Object.values(doc.invitations)
    .filter((i) => i.status === 'pending' && canManageInvitation(doc, actorId, i))
    .sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * Validates an invitation before it is created. `memberAccountId` is the account the email
 * belongs to, if any. Throws FORBIDDEN, NOT_FOUND, LINE_NOT_ASSIGNABLE, ALREADY_MEMBER or CONFLICT.
 */
export function requireInvitable(doc: OrgDoc, actorId: string, body: CreateInvitationBody, memberAccountId: string | undefined): void {
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
    const ref = findLine(doc, lineId);
    if (!ref) throw new SeatkeeperError('NOT_FOUND', `No contract line ${lineId}.`);
    if (!canManageLine(doc, actorId, lineId)) throw new SeatkeeperError('FORBIDDEN', `You may not assign seats of line ${lineId}.`);
    requireAssignable(doc, ref);
  }
  if (memberAccountId && doc.members[memberAccountId]) throw new SeatkeeperError('ALREADY_MEMBER', `${body.email} is already a member of ${doc.org.name}.`);
  const pending = Object.values(doc.invitations).find((i) => i.status === 'pending' && i.email === body.email);
  if (pending) {
    throw new SeatkeeperError('CONFLICT', `${body.email} already has a pending invitation; resend or cancel it instead.`, { invitationId: pending.id });
  }
}

/** Resent links replaced by a newer one that still say so; older ones name nothing. */
const REPLACED_KEPT = 10;

export interface InviteInput {
  actorId: string;
  body: CreateInvitationBody;
  /** the account the email belongs to, if any */
  memberAccountId: string | undefined;
  id: string;
  tokenHash: string;
  now: number;
  ttlMs: number;
}

export function planInvite(doc: OrgDoc, input: InviteInput): Invitation {
  requireInvitable(doc, input.actorId, input.body, input.memberAccountId);
  return {
    id: input.id,
    email: input.body.email,
    role: input.body.role,
    lineIds: [...new Set(input.body.lineIds ?? [])],
    teamId: input.body.teamId ?? null,
    tokenHash: input.tokenHash,
    createdBy: input.actorId,
    createdAt: input.now,
    sentAt: input.now,
    expiresAt: input.now + input.ttlMs,
    status: 'pending',
    acceptedBy: null,
  };
}

export function applyInvite(doc: OrgDoc, inv: Invitation): void {
  doc.invitations[inv.id] = inv;
}

/** The invitation, when `actorId` may resend or cancel it. */
export function requireManagedInvitation(doc: OrgDoc, actorId: string, invitationId: string): Invitation {
  const inv = doc.invitations[invitationId];
  if (!inv) throw new SeatkeeperError('NOT_FOUND', 'No such invitation.');
  if (!canManageInvitation(doc, actorId, inv)) throw new SeatkeeperError('FORBIDDEN', 'You may manage only invitations into teams you administer.');
  return inv;
}

export interface ResendPlan {
  invitationId: string;
  before: { sentAt: number; expiresAt: number };
  after: { tokenHash: string; sentAt: number; expiresAt: number };
}

/** A new token and expiry; the old link stops working and, when used, says it was replaced. */
export function planResend(doc: OrgDoc, actorId: string, invitationId: string, fresh: { tokenHash: string; now: number; ttlMs: number }): ResendPlan {
  const inv = requireManagedInvitation(doc, actorId, invitationId);
  if (inv.status !== 'pending') throw new SeatkeeperError('INVITATION_CLOSED', `This invitation was ${inv.status}; invite again instead.`);
  return {
    invitationId,
    before: { sentAt: inv.sentAt, expiresAt: inv.expiresAt },
    after: { tokenHash: fresh.tokenHash, sentAt: fresh.now, expiresAt: fresh.now + fresh.ttlMs },
  };
}

export function applyResend(doc: OrgDoc, plan: ResendPlan): Invitation {
  const inv = doc.invitations[plan.invitationId]!;
  inv.replacedTokenHashes = [...(inv.replacedTokenHashes ?? []), inv.tokenHash].slice(-REPLACED_KEPT);
  inv.tokenHash = plan.after.tokenHash;
  inv.sentAt = plan.after.sentAt;
  inv.expiresAt = plan.after.expiresAt;
  return inv;
}

export function planCancel(doc: OrgDoc, actorId: string, invitationId: string): Invitation {
  const inv = requireManagedInvitation(doc, actorId, invitationId);
  if (inv.status !== 'pending') throw new SeatkeeperError('INVITATION_CLOSED', `This invitation was already ${inv.status}.`);
  return inv;
}

export function applyCancel(doc: OrgDoc, inv: Invitation): void {
  doc.invitations[inv.id]!.status = 'cancelled';
}

/** How a token relates to an invitation: its current link, a link a resend replaced, or neither. */
export function tokenMatch(inv: Invitation, tokenHash: string): 'current' | 'replaced' | null {
  if (inv.tokenHash === tokenHash) return 'current';
  return inv.replacedTokenHashes?.includes(tokenHash) ? 'replaced' : null;
}

/** Throws unless `tokenHash` is the invitation's current link (a replaced one says so). */
export function requireCurrentToken(inv: Invitation | undefined, tokenHash: string): Invitation {
  const match = inv ? tokenMatch(inv, tokenHash) : null;
  if (match === 'replaced') {
    throw new SeatkeeperError('INVITATION_SUPERSEDED', 'This link was replaced by a newer invitation: use the link in the most recent mail, or ask for a new one.');
  }
  if (!inv || match !== 'current') throw new SeatkeeperError('NOT_FOUND', 'No such invitation; check the link in the mail, or ask for a new one.');
  return inv;
}

/** Who accepts: an existing account, or one this acceptance creates (or completes, for an invited placeholder). */
export interface Acceptor {
  accountId: string;
  create?: { name: string; passwordHash: string; existing: boolean };
}

export interface AcceptInput {
  invitationId: string;
  tokenHash: string;
  acceptor: Acceptor;
  now: number;
  /** ids for the assignments it makes */
  newAssignmentId: () => string;
}

export interface AcceptPlan {
  invitation: Invitation;
  accountId: string;
  create: Acceptor['create'];
  /** the membership before, if they were a member already */
  prev: Membership | undefined;
  role: Role;
  teamId: string | null;
  teamName: string | undefined;
  joinsTeam: boolean;
  assigned: Array<{ assignmentId: string; lineId: string; productCode: string }>;
  notAssigned: LinePlan['notAssigned'];
  projectLines: string[];
}

/**
 * Accepting an invitation, decided in full before anything changes: checked again inside the
 * transaction, so of two concurrent accepts exactly one wins.
 */
export function planAccept(doc: OrgDoc, accounts: Readonly<Record<string, Account>>, input: AcceptInput): AcceptPlan {
  const inv = requireCurrentToken(doc.invitations[input.invitationId], input.tokenHash);
  requireAcceptable(inv, input.now);
  const { acceptor } = input;
  const id = acceptor.accountId;
  if (acceptor.create && !acceptor.create.existing && Object.values(accounts).some((a) => a.email === inv.email || a.aliases.includes(inv.email))) {
    throw new SeatkeeperError('EMAIL_TAKEN', `An account for ${inv.email} was just created; sign in and accept again.`);
  }
  const prev = doc.members[id];
  const team = inv.teamId ? doc.teams[inv.teamId] : undefined;
  const lines = planLineAssignments(doc, id, inv.lineIds, input.now);
  return {
    invitation: inv,
    accountId: id,
    create: acceptor.create,
    prev: prev ? { ...prev } : undefined,
    role: prev ? higherRole(prev.role, inv.role) : inv.role,
    teamId: team?.id ?? null,
    teamName: team?.name,
    joinsTeam: !!team && !team.memberIds.includes(id),
    assigned: lines.assign.map((l) => ({ assignmentId: input.newAssignmentId(), lineId: l.lineId, productCode: l.productCode })),
    notAssigned: lines.notAssigned,
    projectLines: team ? projectLineIds(doc, team.contractIds) : [],
  };
}

export function applyAccept(doc: OrgDoc, accounts: Record<string, Account>, plan: AcceptPlan, now: number): void {
  const id = plan.accountId;
  const inv = doc.invitations[plan.invitation.id]!;
  if (plan.create) {
    const { name, passwordHash } = plan.create;
    const base = accounts[id];
    accounts[id] = base
      ? { ...base, name, passwordHash, status: 'active' }
      : { id, email: inv.email, aliases: [], name, passwordHash, status: 'active', createdAt: now };
  }
  doc.members[id] = plan.prev ? { ...plan.prev, role: plan.role } : { accountId: id, role: plan.role, joinedAt: now };
  if (plan.teamId && plan.joinsTeam) doc.teams[plan.teamId]!.memberIds.push(id);
  for (const a of plan.assigned) {
    doc.assignments[a.assignmentId] = { id: a.assignmentId, lineId: a.lineId, accountId: id, assignedBy: inv.createdBy, assignedAt: now };
  }
  inv.status = 'accepted';
  inv.acceptedBy = id;
}

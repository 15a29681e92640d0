// Who may give or take which role. Owners and admins run the organization; only an owner may
// make or unmake an owner; and the organization never loses its last administrator (owner or
// admin), whether by demotion or removal, because nobody could then manage its seats.
import { SeatkeeperError } from '../../shared/errors.js';
import type { OrgDoc, Role } from './model.js';

export const isAdminRole = (role: Role | undefined): boolean => role === 'owner' || role === 'admin';

export function countAdmins(doc: OrgDoc): number {
  return Object.values(doc.members).filter((m) => isAdminRole(m.role)).length;
}

export function countOwners(doc: OrgDoc): number {
  return Object.values(doc.members).filter((m) => m.role === 'owner').length;
}

const rank: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

/** The stronger of two roles. */
export const higherRole = (a: Role, b: Role): Role => (rank[a] >= rank[b] ? a : b);

export interface RoleChange {
  /** the role of the person acting; undefined when they are not a member */
  actorRole: Role | undefined;
  /** the target's current role */
  targetRole: Role;
  /** the role asked for, or null to remove the member from the organization */
  newRole: Role | null;
  /** owners and admins in the organization now, the target included */
  adminCount: number;
  /** owners now, the target included (a claimed organization always keeps one) */
  ownerCount?: number;
}

export type RoleDecision = { ok: true } | { ok: false; code: 'FORBIDDEN' | 'LAST_ADMIN' | 'LAST_OWNER'; message: string };

export function roleChangeDecision(c: RoleChange): RoleDecision {
  if (!isAdminRole(c.actorRole)) return { ok: false, code: 'FORBIDDEN', message: 'Only administrators of this organization may change roles or remove members.' };
  if ((c.targetRole === 'owner' || c.newRole === 'owner') && c.actorRole !== 'owner' && c.targetRole !== c.newRole) {
    return { ok: false, code: 'FORBIDDEN', message: 'Only an owner may make or unmake an owner.' };
  }
  const losesAdmin = isAdminRole(c.targetRole) && !isAdminRole(c.newRole ?? undefined);
  if (losesAdmin && c.adminCount <= 1) {
    return {
      ok: false,
      code: 'LAST_ADMIN',
      message: c.newRole === null
        ? 'This is the last administrator of the organization; appoint another before removing them.'
        : 'This is the last administrator of the organization; appoint another before demoting them.',
    };
  }
  // Only an owner can make an owner: an organization left without one could never get one back.
  if (c.targetRole === 'owner' && c.newRole !== 'owner' && c.ownerCount !== undefined && c.ownerCount <= 1) {
    return { ok: false, code: 'LAST_OWNER', message: 'This is the only owner of the organization; transfer ownership to someone else first.' };
  }
  return { ok: true };
}

/** Throws the decision's error when the change is refused. */
export function requireRoleChange(doc: OrgDoc, actorId: string, targetId: string, newRole: Role | null): void {
  const target = doc.members[targetId];
  if (!target) throw new SeatkeeperError('NOT_FOUND', 'No such member.');
  const d = roleChangeDecision({ actorRole: doc.members[actorId]?.role, targetRole: target.role, newRole, adminCount: countAdmins(doc), ownerCount: countOwners(doc) });
  if (!d.ok) throw new SeatkeeperError(d.code, d.message);
}

export interface OwnershipTransferPlan {
  fromId: string;
  toId: string;
  /** the new owner's role before */
  previousRole: Role;
}

/**
 * Ownership transfer: the owner `fromId` makes member `toId` an owner and becomes an admin, in one
 * step, so the organization always has an owner. Throws when either side does not fit.
 */
export function planOwnershipTransfer(doc: OrgDoc, fromId: string, toId: string): OwnershipTransferPlan {
  if (doc.members[fromId]?.role !== 'owner') throw new SeatkeeperError('FORBIDDEN', 'Only an owner may transfer ownership.');
  const to = doc.members[toId];
  if (!to) throw new SeatkeeperError('NOT_FOUND', 'No such member.');
  if (fromId === toId) throw new SeatkeeperError('CONFLICT', 'You are the owner already.');
  return { fromId, toId, previousRole: to.role };
}

export function applyOwnershipTransfer(doc: OrgDoc, plan: OwnershipTransferPlan): void {
  doc.members[plan.toId]!.role = 'owner';
  doc.members[plan.fromId]!.role = 'admin';
}

// Who may manage whom. Organization admins manage everything in their organization; a team
// admin manages only the members of their teams whose role is member (never an owner or admin,
// whatever team they are in) and the seats of contracts attached to their teams.
import type { OrgDoc } from './model.js';

export function isOrgAdmin(doc: OrgDoc, accountId: string): boolean {
  const role = doc.members[accountId]?.role;
  return role === 'owner' || role === 'admin';
}

export function teamsAdministeredBy(doc: OrgDoc, accountId: string) {
  return Object.values(doc.teams).filter((t) => t.adminIds.includes(accountId));
}

export function isTeamAdmin(doc: OrgDoc, accountId: string): boolean {
  return teamsAdministeredBy(doc, accountId).length > 0;
}

/** May `actorId` manage the member `targetId` (their seats, their team membership)? */
export function canManageMember(doc: OrgDoc, actorId: string, targetId: string): boolean {
  if (isOrgAdmin(doc, actorId)) return true;
  if (!isPlainMember(doc, targetId)) return false;
  return teamsAdministeredBy(doc, actorId).some((t) => t.memberIds.includes(targetId));
}

/**
 * Whether a team admin may ever act on this account: only people whose organization role is
 * member. Being put in a team never hands control over an owner or admin to its team admins.
 */
export function isPlainMember(doc: OrgDoc, accountId: string): boolean {
  return doc.members[accountId]?.role === 'member';
}

/**
 * May `actorId` see the member `targetId` (the list and the detail answer alike): org admins see
 * everyone, anyone sees themselves, a team admin the members of the teams they administer.
 */
export function canSeeMember(doc: OrgDoc, actorId: string, targetId: string): boolean {
  return actorId === targetId || canManageMember(doc, actorId, targetId);
}

/** May `actorId` assign or unassign seats of contract line `lineId`? */
export function canManageLine(doc: OrgDoc, actorId: string, lineId: string): boolean {
  if (isOrgAdmin(doc, actorId)) return true;
  const contract = Object.values(doc.contracts).find((c) => c.lines.some((l) => l.id === lineId));
  if (!contract) return false;
  return teamsAdministeredBy(doc, actorId).some((t) => t.contractIds.includes(contract.id));
}

// Team rules: names, who manages a team's members, and whether a team is the project team of a
// two-tier product (attached to a contract with a line whose product needs project membership).
import { SeatkeeperError } from '../../shared/errors.js';
import type { TeamView } from '../../shared/api/teams.js';
import type { Account, OrgDoc, Team } from './model.js';
import { isOrgAdmin } from './permissions.js';

/** Org admins manage every team's members; a team admin the members of that team only. */
export function canManageTeamMembers(doc: OrgDoc, actorId: string, team: Team): boolean {
  return isOrgAdmin(doc, actorId) || team.adminIds.includes(actorId);
}

/**
 * May `actorId` take `targetId` out of the team? Its team admins manage its members, but taking a
 * fellow team admin out also ends their admin status, which only org admins grant and end.
 */
export function canRemoveFromTeam(doc: OrgDoc, actorId: string, team: Team, targetId: string): boolean {
  if (isOrgAdmin(doc, actorId)) return true;
  if (!team.adminIds.includes(actorId)) return false;
  return targetId === actorId || !team.adminIds.includes(targetId);
}

/** Whether a team member may see the team. */
export function canSeeTeam(doc: OrgDoc, actorId: string, team: Team): boolean {
  return isOrgAdmin(doc, actorId) || team.memberIds.includes(actorId) || team.adminIds.includes(actorId);
}

/** Throws CONFLICT when another team of the organization has this name (case-insensitive). */
export function assertTeamNameFree(doc: OrgDoc, name: string, exceptId?: string): void {
  const key = name.trim().toLowerCase();
  const clash = Object.values(doc.teams).find((t) => t.id !== exceptId && t.name.trim().toLowerCase() === key);
  if (clash) throw new SeatkeeperError('CONFLICT', `A team named ${clash.name} exists.`, { teamId: clash.id });
}

/** Line ids of two-tier products whose project membership the given contracts confer. */
export function projectLineIds(doc: OrgDoc, contractIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const id of contractIds) {
    for (const l of doc.contracts[id]?.lines ?? []) if (doc.products[l.productCode]?.needsProjectMembership) out.push(l.id);
  }
  return out;
}

export function teamView(doc: OrgDoc, team: Team, accounts: Readonly<Record<string, Account>>): TeamView {
  return {
    id: team.id,
    name: team.name,
    members: team.memberIds
      .map((id) => accounts[id])
      .filter((a): a is Account => !!a)
      .map((a) => ({ accountId: a.id, email: a.email, name: a.name, admin: team.adminIds.includes(a.id) }))
      .sort((x, y) => x.name.localeCompare(y.name) || x.email.localeCompare(y.email)),
    adminIds: [...team.adminIds],
    contracts: team.contractIds.map((id) => ({ id, number: doc.contracts[id]?.number ?? '' })),
    createdAt: team.createdAt,
  };
}

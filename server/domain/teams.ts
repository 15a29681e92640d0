// Team rules: names, who manages a team's members, and whether a team is the project team of a
// two-tier product (attached to a contract with a line whose product needs project membership).
import { SeatkeeperError } from '../../shared/errors.js';
import type { TeamView } from '../../shared/api/teams.js';
import type { Account, OrgDoc, Team } from './model.js';
import { isOrgAdmin, isPlainMember } from './permissions.js';

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
export function requireTeamNameFree(doc: OrgDoc, name: string, exceptId?: string): void {
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

export function requireTeam(doc: OrgDoc, teamId: string): Team {
  const team = doc.teams[teamId];
  if (!team) throw new SeatkeeperError('NOT_FOUND', 'No such team.');
  return team;
}

/** The team, when `actorId` may add and remove its members. */
function requireManagedTeam(doc: OrgDoc, actorId: string, teamId: string): Team {
  const team = requireTeam(doc, teamId);
  if (!canManageTeamMembers(doc, actorId, team)) throw new SeatkeeperError('FORBIDDEN', 'You may manage the members of teams you administer only.');
  return team;
}

function requireOrgMember(doc: OrgDoc, accountId: string): void {
  if (!doc.members[accountId]) throw new SeatkeeperError('NOT_FOUND', 'No such member.');
}

export interface TeamMembershipPlan {
  teamId: string;
  teamName: string;
  accountId: string;
  /** true: joins the team; false: leaves it (and stops being its admin) */
  join: boolean;
  wasAdmin: boolean;
  /** lines of two-tier products the team is the project team of: who may use them changes */
  projectLines: string[];
}

/**
 * Adding someone to a team or taking them out: org admins for any team, a team's admins for
 * theirs (but only org admins take a fellow team admin out). Null when there is nothing to do
 * (adding someone already in the team).
 */
export function planTeamMembership(doc: OrgDoc, actorId: string, teamId: string, accountId: string, join: boolean): TeamMembershipPlan | null {
  const team = requireManagedTeam(doc, actorId, teamId);
  const inTeam = team.memberIds.includes(accountId);
  // A team admin adds and removes plain members only (themselves too, to leave): adding an owner
  // or admin to their team must not hand them control over that person.
  if (!isOrgAdmin(doc, actorId) && accountId !== actorId && doc.members[accountId] && !isPlainMember(doc, accountId)) {
    throw new SeatkeeperError('FORBIDDEN', 'Team admins manage members whose role is member only.');
  }
  if (join) {
    requireOrgMember(doc, accountId);
    if (inTeam) return null;
  } else {
    if (!inTeam) throw new SeatkeeperError('NOT_FOUND', 'That account is not a member of this team.');
    if (!canRemoveFromTeam(doc, actorId, team, accountId)) {
      throw new SeatkeeperError('FORBIDDEN', 'Only organization administrators may remove a team admin from the team.');
    }
  }
  return { teamId, teamName: team.name, accountId, join, wasAdmin: team.adminIds.includes(accountId), projectLines: projectLineIds(doc, team.contractIds) };
}

export function applyTeamMembership(doc: OrgDoc, plan: TeamMembershipPlan): void {
  const team = doc.teams[plan.teamId]!;
  if (plan.join) team.memberIds.push(plan.accountId);
  else {
    team.memberIds = team.memberIds.filter((x) => x !== plan.accountId);
    team.adminIds = team.adminIds.filter((x) => x !== plan.accountId);
  }
}

export interface TeamAdminPlan {
  teamId: string;
  teamName: string;
  accountId: string;
  admin: boolean;
}

/** Appointing or ending a team admin (org admins only: the route's access says so). Null when nothing changes. */
export function planTeamAdmin(doc: OrgDoc, teamId: string, accountId: string, admin: boolean): TeamAdminPlan | null {
  const team = requireTeam(doc, teamId);
  requireOrgMember(doc, accountId);
  const is = team.adminIds.includes(accountId);
  if (admin) {
    if (!team.memberIds.includes(accountId)) throw new SeatkeeperError('CONFLICT', 'Add them to the team first; a team admin is a team member.');
    if (is) return null;
  } else if (!is) throw new SeatkeeperError('NOT_FOUND', 'That account is not an admin of this team.');
  return { teamId, teamName: team.name, accountId, admin };
}

export function applyTeamAdmin(doc: OrgDoc, plan: TeamAdminPlan): void {
  const team = doc.teams[plan.teamId]!;
  team.adminIds = plan.admin ? [...team.adminIds, plan.accountId] : team.adminIds.filter((x) => x !== plan.accountId);
}

export interface TeamContractPlan {
  teamId: string;
  contractId: string;
  attach: boolean;
  /** the team's members: their rights to the contract's two-tier products change */
  memberIds: string[];
  projectLines: string[];
}

/** Attaching or detaching a contract. Null when attaching one already attached. */
export function planTeamContract(doc: OrgDoc, teamId: string, contractId: string, attach: boolean): TeamContractPlan | null {
  const team = requireTeam(doc, teamId);
  if (!doc.contracts[contractId]) throw new SeatkeeperError('NOT_FOUND', 'No such contract.');
  const is = team.contractIds.includes(contractId);
  if (attach === is) {
    if (attach) return null;
    throw new SeatkeeperError('NOT_FOUND', 'That contract is not attached to this team.');
  }
  return { teamId, contractId, attach, memberIds: [...team.memberIds], projectLines: projectLineIds(doc, [contractId]) };
}

export function applyTeamContract(doc: OrgDoc, plan: TeamContractPlan): void {
  const team = doc.teams[plan.teamId]!;
  team.contractIds = plan.attach ? [...team.contractIds, plan.contractId] : team.contractIds.filter((x) => x !== plan.contractId);
}

export interface TeamDeletePlan {
  team: Team;
  projectLines: string[];
}

export function planDeleteTeam(doc: OrgDoc, teamId: string): TeamDeletePlan {
  const team = requireTeam(doc, teamId);
  return { team: { ...team, memberIds: [...team.memberIds], adminIds: [...team.adminIds], contractIds: [...team.contractIds] }, projectLines: projectLineIds(doc, team.contractIds) };
}

/** The team goes; pending invitations into it invite into no team. */
export function applyDeleteTeam(doc: OrgDoc, plan: TeamDeletePlan): void {
  delete doc.teams[plan.team.id];
  for (const inv of Object.values(doc.invitations)) if (inv.teamId === plan.team.id && inv.status === 'pending') inv.teamId = null;
}

/** The team, when `actorId` may see it (admins, and its own people). */
export function requireVisibleTeam(doc: OrgDoc, actorId: string, teamId: string): Team {
  const team = requireTeam(doc, teamId);
  if (!canSeeTeam(doc, actorId, team)) throw new SeatkeeperError('FORBIDDEN', 'You are not in this team.');
  return team;
}

export function planCreateTeam(doc: OrgDoc, input: { id: string; name: string; now: number }): Team {
  requireTeamNameFree(doc, input.name);
  return { id: input.id, name: input.name, memberIds: [], adminIds: [], contractIds: [], createdAt: input.now };
}

export function applyCreateTeam(doc: OrgDoc, team: Team): void {
  doc.teams[team.id] = team;
}

/** A new name, unique in the organization; null when it is the name already. */
export function planRenameTeam(doc: OrgDoc, teamId: string, name: string): { teamId: string; before: string; after: string } | null {
  const team = requireTeam(doc, teamId);
  requireTeamNameFree(doc, name, teamId);
  return team.name === name ? null : { teamId, before: team.name, after: name };
}

export function applyRenameTeam(doc: OrgDoc, plan: { teamId: string; after: string }): void {
  doc.teams[plan.teamId]!.name = plan.after;
}

// Members as admins see them (role, teams, seats), the search over them, and what removing one
// takes with it: their assignments end and they leave every team.
import type { MemberDetail, MemberView, MembersQuery } from '../../shared/api/members.js';
import type { Account, Assignment, OrgDoc, Role } from './model.js';
import { SeatkeeperError } from '../../shared/errors.js';
import { canSeeMember, isOrgAdmin, isTeamAdmin } from './permissions.js';
import { requireRoleChange } from './roles.js';
import { findLine } from './seats.js';

export function memberView(doc: OrgDoc, account: Pick<Account, 'id' | 'email' | 'name'>): MemberView {
  const m = doc.members[account.id]!;
  return {
    accountId: account.id,
    email: account.email,
    name: account.name,
    role: m.role,
    teams: Object.values(doc.teams)
      .filter((t) => t.memberIds.includes(account.id))
      .map((t) => ({ id: t.id, name: t.name, admin: t.adminIds.includes(account.id) })),
    assignments: assignmentsOf(doc, account.id).map((a) => ({ id: a.id, lineId: a.lineId, productCode: findLine(doc, a.lineId)?.line.productCode ?? 'UNKNOWN' })),
    joinedAt: m.joinedAt,
  };
}

export function memberDetail(doc: OrgDoc, account: Pick<Account, 'id' | 'email' | 'name'>, online: ReadonlySet<string>): MemberDetail {
  const view = memberView(doc, account);
  return {
    ...view,
    assignments: assignmentsOf(doc, account.id).map((a) => {
      const found = findLine(doc, a.lineId);
      return {
        id: a.id,
        lineId: a.lineId,
        productCode: found?.line.productCode ?? 'UNKNOWN',
        contractId: found?.contract.id ?? 'unknown',
        contractNumber: found?.contract.number ?? '',
        assignedBy: a.assignedBy,
        assignedAt: a.assignedAt,
      };
    }),
    devices: Object.values(doc.devices)
      .filter((d) => d.signedInAccountId === account.id && d.revokedAt === null)
      .map((d) => ({ id: d.id, hostname: d.hostname, platform: d.os.platform, agentVersion: d.agentVersion, lastSeenAt: d.lastSeenAt, online: online.has(d.id) })),
  };
}

export function assignmentsOf(doc: OrgDoc, accountId: string): Assignment[] {
  return Object.values(doc.assignments)
    .filter((a) => a.accountId === accountId)
    .sort((a, b) => a.assignedAt - b.assignedAt || a.id.localeCompare(b.id));
}

/** Members matching the query, by name then email. Accounts missing from `accounts` are skipped. */
export function searchMembers(doc: OrgDoc, accounts: Readonly<Record<string, Account>>, q: MembersQuery): MemberView[] {
  const needle = q.q?.toLowerCase() ?? '';
  const team = q.teamId ? doc.teams[q.teamId] : undefined;
  if (q.teamId && !team) return [];
  const out: MemberView[] = [];
  for (const m of Object.values(doc.members)) {
    const a = accounts[m.accountId];
    if (!a) continue;
    if (q.role && m.role !== q.role) continue;
    if (team && !team.memberIds.includes(a.id)) continue;
    if (needle && !a.name.toLowerCase().includes(needle) && !a.email.includes(needle) && !a.aliases.some((x) => x.includes(needle))) continue;
    out.push(memberView(doc, a));
  }
  return out.sort((x, y) => x.name.localeCompare(y.name) || x.email.localeCompare(y.email));
}

export interface RemovalPlan {
  assignments: Assignment[];
  teamIds: string[];
}

/** What removing `targetId` takes with it, when `actorId` may remove them (never the last admin). */
export function planMemberRemoval(doc: OrgDoc, actorId: string, targetId: string): RemovalPlan & { role: Role } {
  requireRoleChange(doc, actorId, targetId, null);
  return { ...planRemoval(doc, targetId), role: doc.members[targetId]!.role };
}

export function planRemoval(doc: OrgDoc, accountId: string): RemovalPlan {
  return {
    assignments: assignmentsOf(doc, accountId),
    teamIds: Object.values(doc.teams)
      .filter((t) => t.memberIds.includes(accountId) || t.adminIds.includes(accountId))
      .map((t) => t.id),
  };
}

/** Carries out a removal plan; validate (planMemberRemoval, or roles.requireRoleChange) before calling. */
export function applyRemoval(doc: OrgDoc, accountId: string, plan: RemovalPlan): void {
  for (const a of plan.assignments) delete doc.assignments[a.id];
  for (const id of plan.teamIds) {
    const t = doc.teams[id]!;
    t.memberIds = t.memberIds.filter((x) => x !== accountId);
    t.adminIds = t.adminIds.filter((x) => x !== accountId);
  }
  delete doc.members[accountId];
}

export interface RoleChangePlan {
  accountId: string;
  before: Role;
  after: Role;
}

/** Appointing or demoting, when `actorId` may (only owners touch owners; never the last admin). Null when it is their role already. */
export function planRoleChange(doc: OrgDoc, actorId: string, targetId: string, role: Role): RoleChangePlan | null {
  requireRoleChange(doc, actorId, targetId, role);
  const before = doc.members[targetId]!.role;
  return before === role ? null : { accountId: targetId, before, after: role };
}

export function applyRoleChange(doc: OrgDoc, plan: RoleChangePlan): void {
  doc.members[plan.accountId]!.role = plan.after;
}

/**
 * The member list `actorId` may see (admins and team admins only). A team admin sees the people of
 * their teams (and themselves) in full, as the detail does; everyone else only as a directory
 * entry (name, email, role), so they can be added to the team, without their seats or other
 * teams. Who is in a team they do not run is not theirs to learn, not even through the filter.
 */
export function listMembersFor(doc: OrgDoc, accounts: Readonly<Record<string, Account>>, actorId: string, q: MembersQuery): MemberView[] {
  const admin = isOrgAdmin(doc, actorId);
  if (!admin && !isTeamAdmin(doc, actorId)) throw new SeatkeeperError('FORBIDDEN', 'Only administrators may list the members.');
  if (q.teamId && !admin && !doc.teams[q.teamId]?.adminIds.includes(actorId)) return [];
  return searchMembers(doc, accounts, q).map((m) =>
    canSeeMember(doc, actorId, m.accountId) ? m : { ...m, teams: m.teams.filter((t) => doc.teams[t.id]?.adminIds.includes(actorId)), assignments: [] },
  );
}

/** The member `targetId`, when `actorId` may see them in detail (admins, their team admins, themselves). */
export function requireVisibleMember(doc: OrgDoc, accounts: Readonly<Record<string, Account>>, actorId: string, targetId: string): Account {
  const account = accounts[targetId];
  if (!doc.members[targetId] || !account) throw new SeatkeeperError('NOT_FOUND', 'No such member.');
  if (!canSeeMember(doc, actorId, targetId)) throw new SeatkeeperError('FORBIDDEN', 'You may see only yourself and members of teams you administer.');
  return account;
}

// Teams: create, rename, delete, list; members and team admins; attached contracts. Org admins
// manage every team; a team admin only adds and removes members of their own team. A team
// attached to a two-tier product's contract is that product's project team, so changing who is
// in it changes who may use the product.
import { SeatkeeperError } from '../../../shared/errors.js';
import { TeamBody, type TeamList, type TeamView } from '../../../shared/api/teams.js';
import { auditEvent } from '../../domain/audit.js';
import { assertTeamNameFree, canManageTeamMembers, canRemoveFromTeam, canSeeTeam, projectLineIds, teamView } from '../../domain/teams.js';
import { mailPermissionsChanged } from '../../mail/permissions-mail.js';
import type { Services } from '../../core/services.js';
import type { OrgDoc, Team } from '../../domain/model.js';
import type { OrgContext, Router } from '../router.js';

function requireTeam(doc: OrgDoc, teamId: string): Team {
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

function requireMember(doc: OrgDoc, accountId: string): void {
  if (!doc.members[accountId]) throw new SeatkeeperError('NOT_FOUND', 'No such member.');
}

function viewOf(s: Services, orgId: string, teamId: string): TeamView {
  const doc = s.store.org(orgId)!;
  return teamView(doc, doc.teams[teamId]!, s.store.global().accounts);
}

/**
 * After a change to who is in a project team: the gateway revokes (or, on additions, grants) the
 * two-tier product. A grant revokes nothing, so 'unassigned' only ever applies to removals.
 */
function projectMembershipChanged(s: Services, orgId: string, lineIds: string[], accountIds: string[]): void {
  if (lineIds.length === 0 || accountIds.length === 0) return;
  s.events.emit('entitlements', { orgId, reason: 'unassigned', accountIds: [...accountIds] });
}

function emailOf(s: Services, accountId: string): string {
  return s.store.global().accounts[accountId]?.email ?? accountId;
}

/** After someone joined or left a team: the agents (for a project team), the dashboard, and their mail. */
async function membershipChanged(
  s: Services,
  org: OrgContext,
  by: { email: string; at: number },
  accountId: string,
  team: { name: string; projectLines: string[] },
  joined: boolean,
): Promise<void> {
  projectMembershipChanged(s, org.id, team.projectLines, [accountId]);
  const did = joined ? `added ${emailOf(s, accountId)} to` : `removed ${emailOf(s, accountId)} from`;
  s.events.emit('feed', { orgId: org.id, at: by.at, kind: 'member', text: `${by.email} ${did} the team ${team.name}.`, accountId });
  await mailPermissionsChanged(s, accountId, org.doc.org.name, [`You were ${joined ? 'added to' : 'removed from'} the team ${team.name}.`]);
}

export function registerTeamsRoutes(r: Router): void {
  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/teams',
    access: 'member',
    summary: 'Teams: all of them for admins, the caller’s own for everyone else.',
    handler: ({ s, org, account }): TeamList => ({
      teams: Object.values(org.doc.teams)
        .filter((t) => canSeeTeam(org.doc, account.id, t))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((t) => teamView(org.doc, t, s.store.global().accounts)),
    }),
  });

  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/teams/:teamId',
    access: 'member',
    summary: 'One team with its members, admins and contracts (admins and the team’s own people).',
    handler({ s, org, account, params }): TeamView {
      const team = requireTeam(org.doc, params.teamId!);
      if (!canSeeTeam(org.doc, account.id, team)) throw new SeatkeeperError('FORBIDDEN', 'You are not in this team.');
      return teamView(org.doc, team, s.store.global().accounts);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/orgs/:orgId/teams',
    access: 'admin',
    body: TeamBody,
    status: 201,
    summary: 'Create a team (names are unique in the organization).',
    async handler({ s, org, account, body }): Promise<TeamView> {
      const now = s.clock();
      const id = s.ids('tea');
      await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        assertTeamNameFree(doc, body.name);
        doc.teams[id] = { id, name: body.name, memberIds: [], adminIds: [], contractIds: [], createdAt: now };
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'team.create', id, null, { name: body.name }));
      });
      return viewOf(s, org.id, id);
    },
  });

  r.add({
    method: 'PATCH',
    url: '/api/v1/orgs/:orgId/teams/:teamId',
    access: 'admin',
    body: TeamBody,
    summary: 'Rename a team.',
    async handler({ s, org, account, params, body }): Promise<TeamView> {
      const now = s.clock();
      const teamId = params.teamId!;
      await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const team = requireTeam(doc, teamId);
        assertTeamNameFree(doc, body.name, teamId);
        if (team.name === body.name) return;
        const before = team.name;
        team.name = body.name;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'team.rename', teamId, { name: before }, { name: body.name }));
      });
      return viewOf(s, org.id, teamId);
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/orgs/:orgId/teams/:teamId',
    access: 'admin',
    summary: 'Delete a team; its members lose the project membership it gave.',
    async handler({ s, org, account, params }) {
      const now = s.clock();
      const teamId = params.teamId!;
      const { team, projectLines } = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const team = requireTeam(doc, teamId);
        const projectLines = projectLineIds(doc, team.contractIds);
        delete doc.teams[teamId];
        for (const inv of Object.values(doc.invitations)) if (inv.teamId === teamId && inv.status === 'pending') inv.teamId = null;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'team.delete', teamId, { name: team.name, memberIds: team.memberIds, adminIds: team.adminIds, contractIds: team.contractIds }, null));
        return { team, projectLines };
      });
      projectMembershipChanged(s, org.id, projectLines, team.memberIds);
      const affected = new Set([...team.memberIds, ...team.adminIds]);
      for (const id of affected) {
        await mailPermissionsChanged(s, id, org.doc.org.name, [`The team ${team.name} was deleted; you are no longer in it.`]);
      }
      return { ok: true };
    },
  });

  r.add({
    method: 'PUT',
    url: '/api/v1/orgs/:orgId/teams/:teamId/members/:accountId',
    access: 'member',
    summary: 'Add a member to the team (org admins, or that team’s admins).',
    async handler({ s, org, account, params }): Promise<TeamView> {
      const { teamId, accountId } = params as { teamId: string; accountId: string };
      const now = s.clock();
      const change = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const team = requireManagedTeam(doc, account.id, teamId);
        requireMember(doc, accountId);
        if (team.memberIds.includes(accountId)) return undefined;
        team.memberIds.push(accountId);
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'team.member.add', teamId, null, { accountId }));
        return { name: team.name, projectLines: projectLineIds(doc, team.contractIds) };
      });
      if (change) await membershipChanged(s, org, { email: account.email, at: now }, accountId, change, true);
      return viewOf(s, org.id, teamId);
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/orgs/:orgId/teams/:teamId/members/:accountId',
    access: 'member',
    summary: 'Remove a member from the team (org admins, or that team’s admins); they stop being its admin too.',
    async handler({ s, org, account, params }): Promise<TeamView> {
      const { teamId, accountId } = params as { teamId: string; accountId: string };
      const now = s.clock();
      const change = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const team = requireManagedTeam(doc, account.id, teamId);
        if (!team.memberIds.includes(accountId)) throw new SeatkeeperError('NOT_FOUND', 'That account is not a member of this team.');
        if (!canRemoveFromTeam(doc, account.id, team, accountId)) {
          throw new SeatkeeperError('FORBIDDEN', 'Only organization administrators may remove a team admin from the team.');
        }
        const wasAdmin = team.adminIds.includes(accountId);
        team.memberIds = team.memberIds.filter((x) => x !== accountId);
        team.adminIds = team.adminIds.filter((x) => x !== accountId);
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'team.member.remove', teamId, { accountId, admin: wasAdmin }, null));
        return { name: team.name, projectLines: projectLineIds(doc, team.contractIds) };
      });
      await membershipChanged(s, org, { email: account.email, at: now }, accountId, change, false);
      return viewOf(s, org.id, teamId);
    },
  });

  r.add({
    method: 'PUT',
    url: '/api/v1/orgs/:orgId/teams/:teamId/admins/:accountId',
    access: 'admin',
    summary: 'Appoint a team member as the team’s admin.',
    handler: (ctx) => setTeamAdmin(ctx.s, ctx.org, ctx.account.id, ctx.params as { teamId: string; accountId: string }, true),
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/orgs/:orgId/teams/:teamId/admins/:accountId',
    access: 'admin',
    summary: 'Remove a team admin (they stay a team member).',
    handler: (ctx) => setTeamAdmin(ctx.s, ctx.org, ctx.account.id, ctx.params as { teamId: string; accountId: string }, false),
  });

  r.add({
    method: 'PUT',
    url: '/api/v1/orgs/:orgId/teams/:teamId/contracts/:contractId',
    access: 'admin',
    summary: 'Attach a contract: the team draws seats from it (and is the project team of its two-tier products).',
    handler: (ctx) => setContract(ctx.s, ctx.org, ctx.account.id, ctx.params as { teamId: string; contractId: string }, true),
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/orgs/:orgId/teams/:teamId/contracts/:contractId',
    access: 'admin',
    summary: 'Detach a contract from the team.',
    handler: (ctx) => setContract(ctx.s, ctx.org, ctx.account.id, ctx.params as { teamId: string; contractId: string }, false),
  });
}

async function setTeamAdmin(s: Services, org: OrgContext, actorId: string, p: { teamId: string; accountId: string }, admin: boolean): Promise<TeamView> {
  const now = s.clock();
  const changed = await s.store.tx((t) => {
    const doc = t.org(org.id)!;
    const team = requireTeam(doc, p.teamId);
    requireMember(doc, p.accountId);
    const is = team.adminIds.includes(p.accountId);
    if (admin) {
      if (!team.memberIds.includes(p.accountId)) throw new SeatkeeperError('CONFLICT', 'Add them to the team first; a team admin is a team member.');
      if (is) return undefined;
      team.adminIds.push(p.accountId);
    } else {
      if (!is) throw new SeatkeeperError('NOT_FOUND', 'That account is not an admin of this team.');
      team.adminIds = team.adminIds.filter((x) => x !== p.accountId);
    }
    t.audit(auditEvent(s.ids, now, org.id, actorId, admin ? 'team.admin.add' : 'team.admin.remove', p.teamId, { accountId: p.accountId, admin: is }, { accountId: p.accountId, admin }));
    return team.name;
  });
  if (changed !== undefined) {
    s.events.emit('feed', { orgId: org.id, at: now, kind: 'member', text: `${emailOf(s, p.accountId)} ${admin ? 'is now an admin' : 'is no longer an admin'} of the team ${changed}.`, accountId: p.accountId });
    await mailPermissionsChanged(s, p.accountId, org.doc.org.name, [
      admin ? `You are now an administrator of the team ${changed}.` : `You are no longer an administrator of the team ${changed}.`,
    ]);
  }
  return viewOf(s, org.id, p.teamId);
}

async function setContract(s: Services, org: OrgContext, actorId: string, p: { teamId: string; contractId: string }, attach: boolean): Promise<TeamView> {
  const now = s.clock();
  const change = await s.store.tx((t) => {
    const doc = t.org(org.id)!;
    const team = requireTeam(doc, p.teamId);
    const contract = doc.contracts[p.contractId];
    if (!contract) throw new SeatkeeperError('NOT_FOUND', 'No such contract.');
    const is = team.contractIds.includes(p.contractId);
    if (attach === is) {
      if (attach) return undefined;
      throw new SeatkeeperError('NOT_FOUND', 'That contract is not attached to this team.');
    }
    team.contractIds = attach ? [...team.contractIds, p.contractId] : team.contractIds.filter((x) => x !== p.contractId);
    t.audit(auditEvent(s.ids, now, org.id, actorId, attach ? 'team.contract.attach' : 'team.contract.detach', p.teamId, { contractId: p.contractId, attached: is }, { contractId: p.contractId, attached: attach }));
    return { members: [...team.memberIds], projectLines: projectLineIds(doc, [p.contractId]) };
  });
  if (change) projectMembershipChanged(s, org.id, change.projectLines, change.members);
  return viewOf(s, org.id, p.teamId);
}

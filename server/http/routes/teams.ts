// Teams: create, rename, delete, list; members and team admins; attached contracts. Org admins
// manage every team; a team admin only adds and removes members of their own team. A team
// attached to a two-tier product's contract is that product's project team, so changing who is
// in it changes who may use the product.
import { TeamBody, type TeamList, type TeamView } from '../../../shared/api/teams.js';
import { auditEvent } from '../../domain/audit.js';
import {
  applyCreateTeam,
  applyDeleteTeam,
  applyRenameTeam,
  applyTeamAdmin,
  applyTeamContract,
  applyTeamMembership,
  canSeeTeam,
  planCreateTeam,
  planDeleteTeam,
  planRenameTeam,
  planTeamAdmin,
  planTeamContract,
  planTeamMembership,
  requireVisibleTeam,
  teamView,
} from '../../domain/teams.js';
import { mailPermissionsChanged } from '../../mail/permissions-mail.js';
import type { Services } from '../../core/services.js';
import type { RevokeReason } from '../../domain/model.js';
import type { Ctx, OrgContext, Router } from '../router.js';

function viewOf(s: Services, orgId: string, teamId: string): TeamView {
  const doc = s.store.org(orgId)!;
  return teamView(doc, doc.teams[teamId]!, s.store.global().accounts);
}

/**
 * After a change to who is in a project team: the gateway grants (no reason) or revokes the
 * two-tier product; a revocation says 'team-removed', since the seat itself stays assigned.
 */
function projectMembershipChanged(s: Services, orgId: string, lineIds: string[], accountIds: string[], reason: RevokeReason | undefined): void {
  if (lineIds.length === 0 || accountIds.length === 0) return;
  s.gateway.rightsChanged({ orgId, ...(reason ? { reason } : {}), accountIds: [...accountIds] });
}

function emailOf(s: Services, accountId: string): string {
  return s.store.global().accounts[accountId]?.email ?? accountId;
}

/** Adds to or removes from a team: one path for both, the rules in domain/teams.ts. */
async function setMembership(ctx: Ctx<undefined, undefined>, join: boolean): Promise<TeamView> {
  const { s, org, account } = ctx;
  const { teamId, accountId } = ctx.params as { teamId: string; accountId: string };
  const now = s.clock();
  const plan = await s.store.tx((t) => {
    const doc = t.org(org.id)!;
    const p = planTeamMembership(doc, account.id, teamId, accountId, join);
    if (!p) return null;
    applyTeamMembership(doc, p);
    t.audit(
      join
        ? auditEvent(s.ids, now, org.id, account.id, 'team.member.add', teamId, null, { accountId })
        : auditEvent(s.ids, now, org.id, account.id, 'team.member.remove', teamId, { accountId, admin: p.wasAdmin }, null),
    );
    return p;
  });
  if (plan) await membershipChanged(s, org, { email: account.email, at: now }, plan);
  return viewOf(s, org.id, teamId);
}

/** After someone joined or left a team: the agents (for a project team), the dashboard, and their mail. */
async function membershipChanged(s: Services, org: OrgContext, by: { email: string; at: number }, p: { accountId: string; teamName: string; projectLines: string[]; join: boolean }): Promise<void> {
  projectMembershipChanged(s, org.id, p.projectLines, [p.accountId], p.join ? undefined : 'team-removed');
  const did = p.join ? `added ${emailOf(s, p.accountId)} to` : `removed ${emailOf(s, p.accountId)} from`;
  s.events.emit('feed', { orgId: org.id, at: by.at, kind: 'member', text: `${by.email} ${did} the team ${p.teamName}.`, accountId: p.accountId });
  await mailPermissionsChanged(s, p.accountId, org.doc.org.name, [`You were ${p.join ? 'added to' : 'removed from'} the team ${p.teamName}.`]);
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
      const team = requireVisibleTeam(org.doc, account.id, params.teamId!);
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
        applyCreateTeam(doc, planCreateTeam(doc, { id, name: body.name, now }));
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
        const plan = planRenameTeam(doc, teamId, body.name);
        if (!plan) return;
        applyRenameTeam(doc, plan);
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'team.rename', teamId, { name: plan.before }, { name: plan.after }));
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
        const plan = planDeleteTeam(doc, teamId);
        applyDeleteTeam(doc, plan);
        const { name, memberIds, adminIds, contractIds } = plan.team;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'team.delete', teamId, { name, memberIds, adminIds, contractIds }, null));
        return plan;
      });
      projectMembershipChanged(s, org.id, projectLines, team.memberIds, 'team-removed');
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
    handler: (ctx) => setMembership(ctx, true),
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/orgs/:orgId/teams/:teamId/members/:accountId',
    access: 'member',
    summary: 'Remove a member from the team (org admins, or that team’s admins); they stop being its admin too.',
    handler: (ctx) => setMembership(ctx, false),
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
  const plan = await s.store.tx((t) => {
    const doc = t.org(org.id)!;
    const plan = planTeamAdmin(doc, p.teamId, p.accountId, admin);
    if (!plan) return null;
    applyTeamAdmin(doc, plan);
    t.audit(auditEvent(s.ids, now, org.id, actorId, admin ? 'team.admin.add' : 'team.admin.remove', p.teamId, { accountId: p.accountId, admin: !admin }, { accountId: p.accountId, admin }));
    return plan;
  });
  if (plan) {
    const changed = plan.teamName;
    s.events.emit('feed', { orgId: org.id, at: now, kind: 'member', text: `${emailOf(s, p.accountId)} ${admin ? 'is now an admin' : 'is no longer an admin'} of the team ${changed}.`, accountId: p.accountId });
    await mailPermissionsChanged(s, p.accountId, org.doc.org.name, [
      admin ? `You are now an administrator of the team ${changed}.` : `You are no longer an administrator of the team ${changed}.`,
    ]);
  }
  return viewOf(s, org.id, p.teamId);
}

async function setContract(s: Services, org: OrgContext, actorId: string, p: { teamId: string; contractId: string }, attach: boolean): Promise<TeamView> {
  const now = s.clock();
  const plan = await s.store.tx((t) => {
    const doc = t.org(org.id)!;
    const plan = planTeamContract(doc, p.teamId, p.contractId, attach);
    if (!plan) return null;
    applyTeamContract(doc, plan);
    t.audit(auditEvent(s.ids, now, org.id, actorId, attach ? 'team.contract.attach' : 'team.contract.detach', p.teamId, { contractId: p.contractId, attached: !attach }, { contractId: p.contractId, attached: attach }));
    return plan;
  });
  // Detached: the team no longer confers the project membership (the seats stay assigned).
  if (plan) projectMembershipChanged(s, org.id, plan.projectLines, plan.memberIds, attach ? undefined : 'team-removed');
  return viewOf(s, org.id, p.teamId);
}

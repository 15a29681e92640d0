// Members: list and search, one member in detail, role changes, removal, and the email
// mismatches recorded for admins.
import {
  ChangeRoleBody,
  MembersQuery,
  type ChangeRoleReply,
  type MemberDetail,
  type MemberList,
  OrgSettingsBody,
  type MismatchFixReply,
  type MismatchList,
  type RemoveMemberReply,
} from '../../../shared/api/members.js';
import { applyMismatchFix, planMismatchFix } from '../../domain/mismatches.js';
import { auditEvent } from '../../domain/audit.js';
import { findLine } from '../../domain/seats.js';
import { applyRemoval, applyRoleChange, listMembersFor, memberDetail, planMemberRemoval, planRoleChange, requireVisibleMember } from '../../domain/members.js';
import { mailPermissionsChanged } from '../../mail/permissions-mail.js';
import type { Router } from '../router.js';

export function registerMembersRoutes(r: Router): void {
  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/members',
    access: 'member',
    query: MembersQuery,
    summary: 'List members (admins; team admins: their teams in full, others as name, email and role only), filtered by name/email substring, role or team.',
    handler({ s, org, account, query }): MemberList {
      const members = listMembersFor(org.doc, s.store.global().accounts, account.id, query);
      return { members };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/members/:accountId',
    access: 'member',
    summary: 'One member with their assignments and signed-in devices (admins, their team admins, themselves).',
    handler({ s, org, account, params }): MemberDetail {
      const target = requireVisibleMember(org.doc, s.store.global().accounts, account.id, params.accountId!);
      return memberDetail(org.doc, target, s.gateway.presence.onlineDevices(org.id));
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/orgs/:orgId/members/:accountId',
    access: 'admin',
    summary: 'Remove a member: their assignments end and they leave every team. Never the last admin.',
    async handler({ s, org, account, params }): Promise<RemoveMemberReply> {
      const targetId = params.accountId!;
      const now = s.clock();
      const { plan, role, orgName } = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const plan = planMemberRemoval(doc, account.id, targetId);
        const { role } = plan;
        const described = plan.assignments.map((a) => ({ a, productCode: findLine(doc, a.lineId)?.line.productCode ?? null }));
        applyRemoval(doc, targetId, plan);
        for (const { a, productCode } of described) {
          t.audit(auditEvent(s.ids, now, org.id, account.id, 'assignment.delete', a.id, { lineId: a.lineId, accountId: a.accountId, productCode }, { reason: 'member-removed' }));
        }
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'member.remove', targetId, { role, teamIds: plan.teamIds }, null));
        return { plan, role, orgName: doc.org.name };
      });
      const target = s.store.global().accounts[targetId];
      s.gateway.rightsChanged({ orgId: org.id, reason: 'member-removed', accountIds: [targetId] });
      s.events.emit('feed', { orgId: org.id, at: now, kind: 'member', text: `${account.email} removed ${target?.email ?? targetId} (${role}) from the organization.`, accountId: targetId });
      await mailPermissionsChanged(s, targetId, orgName, [
        `You are no longer a member of ${orgName}.`,
        ...(plan.assignments.length ? [`${plan.assignments.length} product assignment(s) ended.`] : []),
      ]);
      return { ok: true, endedAssignments: plan.assignments.map((a) => a.id), leftTeams: plan.teamIds };
    },
  });

  r.add({
    method: 'PUT',
    url: '/api/v1/orgs/:orgId/members/:accountId/role',
    access: 'admin',
    body: ChangeRoleBody,
    summary: 'Appoint or demote: owner, admin or member. Only owners touch owners; never the last admin.',
    async handler({ s, org, account, params, body }): Promise<ChangeRoleReply> {
      const targetId = params.accountId!;
      const now = s.clock();
      const { before, orgName } = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const plan = planRoleChange(doc, account.id, targetId, body.role);
        if (!plan) return { before: body.role, orgName: doc.org.name };
        applyRoleChange(doc, plan);
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'role.change', targetId, { role: plan.before }, { role: plan.after }));
        return { before: plan.before, orgName: doc.org.name };
      });
      if (before !== body.role) {
        const target = s.store.global().accounts[targetId];
        s.events.emit('feed', { orgId: org.id, at: now, kind: 'member', text: `${account.email} changed ${target?.email ?? targetId} from ${before} to ${body.role}.`, accountId: targetId });
        await mailPermissionsChanged(s, targetId, orgName, [`Your role changed from ${before} to ${body.role}.`]);
      }
      return { accountId: targetId, before, role: body.role };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/mismatches',
    access: 'admin',
    summary: 'Pairs of addresses for the admins: invitations accepted into another account, members without a seat beside a near miss holding one; newest first.',
    // Recorded in order; reversing first keeps ties newest first through the stable sort.
    handler: ({ org }): MismatchList => ({ mismatches: [...org.doc.mismatches].reverse().sort((a, b) => b.at - a.at) }),
  });

  r.add({
    method: 'POST',
    url: '/api/v1/orgs/:orgId/mismatches/:mismatchId/fix',
    access: 'admin',
    summary: "One-click fix of a member without a seat beside a near miss: the near miss's seats and pending invitations go to the member.",
    async handler({ s, org, account, params }): Promise<MismatchFixReply> {
      const now = s.clock();
      const out = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const plan = planMismatchFix(doc, t.global().accounts, params.mismatchId!, now);
        const created = applyMismatchFix(doc, plan, account.id, now, () => s.ids('asg'));
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'mismatch.fix', plan.mismatchId, { accountId: plan.fromAccountId }, { accountId: plan.toAccountId, movedAssignments: plan.moveAssignmentIds, createdAssignments: created, invitations: plan.invitations.map((i) => i.id) }));
        return { plan, created };
      });
      const { plan, created } = out;
      s.gateway.rightsChanged({ orgId: org.id, accountIds: [plan.toAccountId, ...(plan.fromAccountId ? [plan.fromAccountId] : [])] });
      s.events.emit('feed', { orgId: org.id, at: now, kind: 'member', text: `${account.email} gave the seats of a near-miss address to its member.`, accountId: plan.toAccountId });
      return { accountId: plan.toAccountId, movedAssignments: plan.moveAssignmentIds, createdAssignments: created, invitations: plan.invitations.map((i) => i.id) };
    },
  });

  r.add({
    method: 'PATCH',
    url: '/api/v1/orgs/:orgId/settings',
    access: 'admin',
    body: OrgSettingsBody,
    summary: 'Organization settings: whether an invitation may be accepted into a signed-in account with another address.',
    async handler({ s, org, account, body }) {
      const now = s.clock();
      return s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const before = doc.org.settings.acceptIntoOtherAccount !== false;
        doc.org.settings.acceptIntoOtherAccount = body.acceptIntoOtherAccount;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'org.settings', org.id, { acceptIntoOtherAccount: before }, { acceptIntoOtherAccount: body.acceptIntoOtherAccount }));
        return { acceptIntoOtherAccount: body.acceptIntoOtherAccount };
      });
    },
  });
}

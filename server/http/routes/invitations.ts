// Invitations: create, list, resend, cancel (admins; team admins into their teams), and the
// public preview and accept that the link in the mail leads to. The token is random, shown only
// in the mail, stored as its SHA-256, and sent back in bodies only (never in a path or query).
import {
  AcceptInvitationBody,
  CreateInvitationBody,
  InvitationTokenBody,
  type AcceptInvitationReply,
  type InvitationList,
  type InvitationPreview,
  type InvitationView,
} from '../../../shared/api/invitations.js';
import { auditEvent } from '../../domain/audit.js';
import { recordMismatch } from '../../domain/mismatches.js';
import { applyVerified, isVerified } from '../../domain/account-mail.js';
import { ownsInvitedAddress, requireCompletable, requireNewAccount, requireOtherAccountChoice, requirePasswordGiven } from '../../domain/invitation-acceptor.js';
import { inviteCandidates, requireNearMissConfirmed } from '../../domain/near-miss.js';
import { verifyCredentials } from '../../domain/credentials.js';
import {
  applyAccept,
  applyCancel,
  applyInvite,
  applyResend,
  invitationState,
  pendingInvitationsFor,
  planAccept,
  planCancel,
  planInvite,
  planResend,
  requireAcceptable,
  requireCurrentToken,
  tokenMatch,
  type Acceptor,
} from '../../domain/invitations.js';
import { findLine } from '../../domain/seats.js';
import { hashSecret, newSecret } from '../../core/ids.js';
import { hashPassword } from '../../core/password.js';
import { sendInvitationMail } from '../../mail/invitation-mail.js';
import { mailPermissionsChanged } from '../../mail/permissions-mail.js';
import type { Services } from '../../core/services.js';
import type { Account, Invitation, OrgDoc } from '../../domain/model.js';
import type { Router } from '../router.js';
import { seatLimitsReached } from '../../domain/webhooks.js';
import { announceSeatLimits } from './webhooks.js';
import { credentialChecks, findAccountByEmail, startSession, upgradePasswordHash } from './auth.js';

function view(inv: Invitation, now: number): InvitationView {
  return {
    id: inv.id,
    email: inv.email,
    role: inv.role,
    lineIds: [...inv.lineIds],
    teamId: inv.teamId,
    createdBy: inv.createdBy,
    createdAt: inv.createdAt,
    sentAt: inv.sentAt,
    expiresAt: inv.expiresAt,
    expired: invitationState(inv, now) === 'expired',
    mailSent: !inv.mailNotSentAt,
  };
}

function productCodes(doc: OrgDoc, lineIds: readonly string[]): string[] {
  return lineIds.map((id) => findLine(doc, id)?.line.productCode).filter((c): c is string => !!c);
}

/** The invitation a token is the link of, current or replaced by a resend. */
function findByToken(s: Services, token: string): { orgId: string; inv: Invitation } | undefined {
  const h = hashSecret(token);
  for (const orgId of s.store.orgIds()) {
    const doc = s.store.org(orgId)!;
    if (doc.org.removedAt) continue; // removed by the operator: its invitations lead nowhere
    for (const inv of Object.values(doc.invitations)) if (tokenMatch(inv, h)) return { orgId, inv };
  }
  return undefined;
}

function requireByToken(s: Services, token: string, now: number): { orgId: string; doc: OrgDoc; inv: Invitation } {
  const found = findByToken(s, token);
  const inv = requireCurrentToken(found?.inv, hashSecret(token));
  requireAcceptable(inv, now);
  return { orgId: found!.orgId, inv, doc: s.store.org(found!.orgId)! };
}

/**
 * Who is accepting: the signed-in caller, an account proven by its password, or one created now
 * for the invited address (the token proves the mailbox). `otherAddress` when the account has
 * another address than the invited one and the caller chose to accept into it.
 */
async function resolveAcceptor(
  s: Services,
  orgId: string,
  inv: Invitation,
  body: AcceptInvitationBody,
  caller: Account | undefined,
  ip: string,
): Promise<Acceptor & { signIn: boolean; otherAddress: boolean }> {
  const doc = () => s.store.org(orgId)!;
  if (caller) {
    requireOtherAccountChoice(doc(), inv, caller, body.acceptIntoThisAccount);
    return { accountId: caller.id, signIn: false, otherAddress: !ownsInvitedAddress(caller, inv) };
  }
  const email = body.email ?? inv.email;
  const existing = findAccountByEmail(s, email);
  // An unverified account at the invited address proved nothing: the token holder owns the
  // mailbox and completes it (name, password), ending whatever sessions its registrant had.
  if ((existing && existing.passwordHash && isVerified(existing)) || email !== inv.email) {
    requirePasswordGiven(existing, email, body);
    // Signing in, as the sign-in route does: nothing told about addresses that do not exist.
    const account = await verifyCredentials(credentialChecks(s), { email, password: body.password ?? '', ip });
    await upgradePasswordHash(s, account, body.password ?? '');
    requireOtherAccountChoice(doc(), inv, account, body.acceptIntoThisAccount);
    return { accountId: account.id, signIn: true, otherAddress: !ownsInvitedAddress(account, inv) };
  }
  requireCompletable(existing, email);
  const { name, password } = requireNewAccount(existing, body);
  return {
    accountId: existing?.id ?? s.ids('acc'),
    create: { name, passwordHash: await hashPassword(password), existing: !!existing },
    signIn: true,
    otherAddress: false,
  };
}

export function registerInvitationsRoutes(r: Router): void {
  r.add({
    method: 'POST',
    url: '/api/v1/orgs/:orgId/invitations',
    access: 'member',
    body: CreateInvitationBody,
    status: 201,
    summary: 'Invite an email with a role, products and a team (admins; team admins: members into their team).',
    async handler({ s, org, account, body }): Promise<InvitationView> {
      const now = s.clock();
      const token = newSecret('ski');
      const existing = findAccountByEmail(s, body.email);
      const inv = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const { confirmNearMiss, ...rest } = body;
        const inv = planInvite(doc, {
          actorId: account.id,
          body: rest,
          memberAccountId: existing?.id,
          id: s.ids('inv'),
          tokenHash: hashSecret(token),
          now,
          ttlMs: s.config.invitationTtlSeconds * 1000,
        });
        // After the permission checks: only those who may invite see the candidates.
        requireNearMissConfirmed(body.email, inviteCandidates(doc, t.global().accounts, body.email), confirmNearMiss);
        applyInvite(doc, inv);
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'invitation.create', inv.id, null, view(inv, now)));
        return inv;
      });
      return view(await sendInvitationMail(s, s.store.org(org.id)!, inv, token, account), now);
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/invitations',
    access: 'member',
    summary: 'Pending invitations (expired ones flagged) the caller may manage.',
    handler({ s, org, account }): InvitationList {
      const now = s.clock();
      return { invitations: pendingInvitationsFor(org.doc, account.id).map((i) => view(i, now)) };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/orgs/:orgId/invitations/:invitationId/resend',
    access: 'member',
    summary: 'Send the invitation again with a new token and expiry; the old link stops working.',
    async handler({ s, org, account, params }): Promise<InvitationView> {
      const now = s.clock();
      const token = newSecret('ski');
      const inv = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const plan = planResend(doc, account.id, params.invitationId!, { tokenHash: hashSecret(token), now, ttlMs: s.config.invitationTtlSeconds * 1000 });
        const inv = applyResend(doc, plan);
        const { sentAt, expiresAt } = plan.after;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'invitation.resend', inv.id, plan.before, { sentAt, expiresAt }));
        return { ...inv, lineIds: [...inv.lineIds] };
      });
      return view(await sendInvitationMail(s, s.store.org(org.id)!, inv, token, account), now);
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/orgs/:orgId/invitations/:invitationId',
    access: 'member',
    summary: 'Cancel a pending invitation; its link stops working.',
    async handler({ s, org, account, params }) {
      const now = s.clock();
      await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const inv = planCancel(doc, account.id, params.invitationId!);
        applyCancel(doc, inv);
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'invitation.cancel', inv.id, { status: 'pending', email: inv.email }, { status: 'cancelled' }));
      });
      return { ok: true };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/invitations/preview',
    access: 'public',
    body: InvitationTokenBody,
    summary: 'What an invitation token is for (organization, email, role, expiry), before accepting it.',
    handler({ s, body }): InvitationPreview {
      const { doc, inv } = requireByToken(s, body.token, s.clock());
      const team = inv.teamId ? doc.teams[inv.teamId] : undefined;
      return {
        orgName: doc.org.name,
        email: inv.email,
        role: inv.role,
        expiresAt: inv.expiresAt,
        teamName: team?.name ?? null,
        productCodes: productCodes(doc, inv.lineIds),
        accountExists: (() => {
          const a = findAccountByEmail(s, inv.email);
          return !!a?.passwordHash && isVerified(a);
        })(),
      };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/invitations/accept',
    access: 'public',
    body: AcceptInvitationBody,
    summary: 'Accept an invitation: signed in, with the account password, or creating the account; signs in.',
    async handler({ s, body, caller, req, reply }): Promise<AcceptInvitationReply> {
      const found = requireByToken(s, body.token, s.clock());
      const acceptor = await resolveAcceptor(s, found.orgId, found.inv, body, caller?.account, req.ip);
      const orgId = found.orgId;
      const invId = found.inv.id;
      const tokenHash = hashSecret(body.token);
      const now = s.clock();
      const plan = await s.store.tx((t) => {
        const doc = t.org(orgId)!;
        const g = t.global();
        const plan = planAccept(doc, g.accounts, { invitationId: invId, tokenHash, acceptor, now, newAssignmentId: () => s.ids('asg') });
        const squatted = plan.create?.existing && g.accounts[plan.accountId]?.status === 'active';
        applyAccept(doc, g.accounts, plan, now);
        const id = plan.accountId;
        const acc = g.accounts[id];
        // The token proves the invited mailbox: accepting as that address verifies it.
        if (acc && ownsInvitedAddress(acc, plan.invitation)) applyVerified(acc, now);
        if (squatted) {
          for (const [h, sess] of Object.entries(g.sessions)) if (sess.accountId === id) delete g.sessions[h];
          for (const [h, tok] of Object.entries(g.apiTokens)) if (tok.accountId === id) delete g.apiTokens[h];
        }
        const inv = plan.invitation;
        const email = g.accounts[id]?.email ?? inv.email;
        const { prev, role } = plan;
        const other = acceptor.otherAddress ? { intoOtherAccount: true, invitedEmail: inv.email } : {};
        t.audit(auditEvent(s.ids, now, orgId, id, 'invitation.accept', inv.id, { status: 'pending' }, { status: 'accepted', accountId: id, created: !!plan.create, ...other }));
        // Shown to the admins beside the near misses: an invitation accepted as another address.
        if (acceptor.otherAddress) recordMismatch(doc, { id: s.ids('mis'), at: now, attempted: inv.email, suggestion: email, context: 'accepted-other-account' });
        if (!prev) t.audit(auditEvent(s.ids, now, orgId, id, 'member.join', id, null, { email, role, via: 'invitation', invitationId: inv.id }));
        else if (prev.role !== role) t.audit(auditEvent(s.ids, now, orgId, id, 'role.change', id, { role: prev.role }, { role, via: 'invitation', invitationId: inv.id }));
        if (plan.teamId && plan.joinsTeam) {
          t.audit(auditEvent(s.ids, now, orgId, id, 'team.member.add', plan.teamId, null, { accountId: id, via: 'invitation' }));
        }
        for (const a of plan.assigned) {
          t.audit(auditEvent(s.ids, now, orgId, id, 'assignment.create', a.assignmentId, null, { lineId: a.lineId, accountId: id, productCode: a.productCode, via: 'invitation', invitationId: inv.id }));
        }
        return { ...plan, email, orgName: doc.org.name, limits: seatLimitsReached(doc, plan.assigned.map((a) => a.lineId)) };
      });
      const out: AcceptInvitationReply = {
        orgId,
        orgName: plan.orgName,
        accountId: plan.accountId,
        role: plan.role,
        teamId: plan.teamId,
        created: !!plan.create && !plan.create.existing,
        assigned: plan.assigned,
        notAssigned: plan.notAssigned,
      };
      if (acceptor.signIn) await startSession(s, { reply }, acceptor.accountId);
      const { email } = plan;
      s.events.emit('feed', { orgId, at: now, kind: 'member', text: `${email} accepted the invitation and is a ${out.role} now.`, accountId: out.accountId });
      for (const a of out.assigned) {
        s.events.emit('feed', { orgId, at: now, kind: 'assignment', text: `${a.productCode} assigned to ${email} (invitation).`, productCode: a.productCode, accountId: out.accountId });
      }
      announceSeatLimits(s, orgId, now, plan.limits);
      if (out.assigned.length || plan.projectLines.length) {
        s.gateway.rightsChanged({ orgId, accountIds: [out.accountId] });
      }
      await mailPermissionsChanged(s, out.accountId, out.orgName, [
        `You are a ${out.role} of ${out.orgName}.`,
        ...(plan.teamName ? [`You are a member of the team ${plan.teamName}.`] : []),
        ...out.assigned.map((a) => `You were assigned ${a.productCode}.`),
      ]);
      return out;
    },
  });
}

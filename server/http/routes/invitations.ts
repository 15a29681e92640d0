// Invitations: create, list, resend, cancel (admins; team admins into their teams), and the
// public preview and accept that the link in the mail leads to. The token is random, shown only
// in the mail, stored as its SHA-256, and sent back in bodies only (never in a path or query).
import { SeatkeeperError } from '../../../shared/errors.js';
import { Password } from '../../../shared/api/common.js';
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
import { findNearMiss, isNearMiss, memberEmails } from '../../domain/email-match.js';
import { verifyCredentials } from '../../domain/credentials.js';
import {
  applyAccept,
  applyCancel,
  applyInvite,
  applyResend,
  canManageInvitation,
  invitationState,
  planAccept,
  planCancel,
  planInvite,
  planResend,
  requireAcceptable,
  requireCurrentToken,
  tokenMatch,
  type Acceptor,
} from '../../domain/invitations.js';
import { isOrgAdmin, isTeamAdmin } from '../../domain/permissions.js';
import { findLine } from '../../domain/seats.js';
import { hashSecret, newSecret } from '../../core/ids.js';
import { hashPassword } from '../../core/password.js';
import { mailPermissionsChanged } from '../../mail/permissions-mail.js';
import type { Services } from '../../core/services.js';
import type { Account, Invitation, OrgDoc } from '../../domain/model.js';
import { recordInvitationMail } from '../../mail/invitation-mail-status.js';
import type { Router } from '../router.js';
import { credentialChecks, findAccountByEmail, recordMismatches, startSession } from './auth.js';

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

async function sendInvitationMail(s: Services, doc: OrgDoc, inv: Invitation, token: string, inviter: Account): Promise<Invitation> {
  const link = `${s.publicUrl()}/accept?token=${encodeURIComponent(token)}`;
  const products = productCodes(doc, inv.lineIds);
  const team = inv.teamId ? doc.teams[inv.teamId] : undefined;
  const text = [
    'Hello,',
    '',
    `${inviter.name} (${inviter.email}) invites you to ${doc.org.name} on Seatkeeper as ${inv.role === 'member' ? 'a member' : `an ${inv.role}`}.`,
    ...(team ? [`You will join the team ${team.name}.`] : []),
    ...(products.length ? [`Products waiting for you: ${products.join(', ')}.`] : []),
    '',
    'Accept the invitation here:',
    link,
    '',
    `The link works once and expires on ${new Date(inv.expiresAt).toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
  ].join('\n');
  return recordInvitationMail(s, doc.org.id, inv, await s.mailer.trySend({ to: inv.email, subject: `You are invited to ${doc.org.name} on Seatkeeper`, text }), inviter.id);
}

/** The invitation a token is the link of, current or replaced by a resend. */
function findByToken(s: Services, token: string): { orgId: string; inv: Invitation } | undefined {
  const h = hashSecret(token);
  for (const orgId of s.store.orgIds()) {
    const doc = s.store.org(orgId)!;
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
 * The accepting account must own the invited address. A near miss (john.doe vs johndoe) is
 * refused with a hint and shown to the admins, like a near-miss sign-in; anything else is
 * simply not this person's invitation.
 */
async function assertOwnsInvitedEmail(s: Services, orgId: string, inv: Invitation, account: Account, how: 'signed-in' | 'password'): Promise<void> {
  if (account.email === inv.email || account.aliases.includes(inv.email)) return;
  const doc = s.store.org(orgId)!;
  if (isNearMiss(account.email, inv.email, doc.org.aliasDomains)) {
    await recordMismatches(s, account.email, [{ orgId, suggestion: inv.email }], 'invite-accept');
    throw new SeatkeeperError(
      'EMAIL_MISMATCH',
      `This invitation is for ${inv.email}, not ${account.email}. Did you mean ${inv.email}? Accept it with that address.`,
      { suggestion: inv.email },
    );
  }
  throw new SeatkeeperError(
    'FORBIDDEN',
    how === 'signed-in'
      ? `This invitation is for ${inv.email}, but you are signed in as ${account.email}. Sign out first, or ask for an invitation to your address.`
      : `This invitation is for ${inv.email}, not ${account.email}.`,
  );
}

/**
 * Before an account is created on accept: an invited address that is a near miss of a member's
 * (jdoe@ when j.doe@ is in the organization) is almost always the member, invited by a typo, and
 * a new account would hold their seats apart from the account they sign in with. Refused with a
 * hint, recorded for the admins; the member signs in with their own address instead.
 */
async function refuseNearMissOfMember(s: Services, orgId: string, inv: Invitation): Promise<void> {
  const doc = s.store.org(orgId)!;
  const member = findNearMiss(inv.email, memberEmails(doc, s.store.global().accounts), doc.org.aliasDomains);
  if (!member) return;
  await recordMismatches(s, inv.email, [{ orgId, suggestion: member }], 'invite-accept');
  throw new SeatkeeperError(
    'EMAIL_MISMATCH',
    `${member} is already a member of ${doc.org.name}. Did you mean ${member}? Sign in with that address; ` +
      `an administrator can give it this invitation's team and products, or invite the right address.`,
    { suggestion: member },
  );
}

/** Who is accepting: the signed-in caller, an account proven by its password, or one created now. */
async function resolveAcceptor(
  s: Services,
  orgId: string,
  inv: Invitation,
  body: AcceptInvitationBody,
  caller: Account | undefined,
  ip: string,
): Promise<Acceptor & { signIn: boolean }> {
  if (caller) {
    await assertOwnsInvitedEmail(s, orgId, inv, caller, 'signed-in');
    return { accountId: caller.id, signIn: false };
  }
  const email = body.email ?? inv.email;
  const existing = findAccountByEmail(s, email);
  if ((existing && existing.passwordHash) || email !== inv.email) {
    if (existing?.passwordHash && !body.password) throw new SeatkeeperError('UNAUTHENTICATED', `An account for ${email} exists: give its password, or sign in first.`);
    // Signing in, as the sign-in route does; an address with no account that is a typo of the
    // invited address or of a member's gets "did you mean".
    const account = await verifyCredentials(
      credentialChecks(s, async (unknown) => {
        const doc = s.store.org(orgId)!;
        const suggestion = findNearMiss(unknown, [inv.email, ...memberEmails(doc, s.store.global().accounts)], doc.org.aliasDomains);
        if (!suggestion) return;
        await recordMismatches(s, unknown, [{ orgId, suggestion }], 'invite-accept');
        throw new SeatkeeperError('EMAIL_MISMATCH', `There is no account for ${unknown}. Did you mean ${suggestion}?`, { suggestion });
      }),
      { email, password: body.password ?? '', ip },
    );
    await assertOwnsInvitedEmail(s, orgId, inv, account, 'password');
    return { accountId: account.id, signIn: true };
  }
  if (existing && existing.status !== 'invited') throw new SeatkeeperError('FORBIDDEN', `The account for ${email} is disabled.`);
  await refuseNearMissOfMember(s, orgId, inv);
  const name = body.name ?? existing?.name;
  if (!name) throw new SeatkeeperError('VALIDATION_FAILED', 'body.name: your name is needed to create your account');
  const pw = Password.safeParse(body.password ?? '');
  if (!pw.success) throw new SeatkeeperError('VALIDATION_FAILED', `body.password: ${pw.error.issues[0]?.message ?? 'invalid'}; choose one to create your account`);
  return {
    accountId: existing?.id ?? s.ids('acc'),
    create: { name, passwordHash: await hashPassword(pw.data), existing: !!existing },
    signIn: true,
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
        const inv = planInvite(doc, {
          actorId: account.id,
          body,
          memberAccountId: existing?.id,
          id: s.ids('inv'),
          tokenHash: hashSecret(token),
          now,
          ttlMs: s.config.invitationTtlSeconds * 1000,
        });
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
      if (!isOrgAdmin(org.doc, account.id) && !isTeamAdmin(org.doc, account.id)) {
        throw new SeatkeeperError('FORBIDDEN', 'Only administrators may see invitations.');
      }
      const now = s.clock();
      return {
        invitations: Object.values(org.doc.invitations)
          .filter((i) => i.status === 'pending' && canManageInvitation(org.doc, account.id, i))
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((i) => view(i, now)),
      };
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
        accountExists: !!findAccountByEmail(s, inv.email)?.passwordHash,
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
        applyAccept(doc, g.accounts, plan, now);
        const id = plan.accountId;
        const inv = plan.invitation;
        const email = g.accounts[id]?.email ?? inv.email;
        const { prev, role } = plan;
        t.audit(auditEvent(s.ids, now, orgId, id, 'invitation.accept', inv.id, { status: 'pending' }, { status: 'accepted', accountId: id, created: !!plan.create }));
        if (!prev) t.audit(auditEvent(s.ids, now, orgId, id, 'member.join', id, null, { email, role, via: 'invitation', invitationId: inv.id }));
        else if (prev.role !== role) t.audit(auditEvent(s.ids, now, orgId, id, 'role.change', id, { role: prev.role }, { role, via: 'invitation', invitationId: inv.id }));
        if (plan.teamId && plan.joinsTeam) {
          t.audit(auditEvent(s.ids, now, orgId, id, 'team.member.add', plan.teamId, null, { accountId: id, via: 'invitation' }));
        }
        for (const a of plan.assigned) {
          t.audit(auditEvent(s.ids, now, orgId, id, 'assignment.create', a.assignmentId, null, { lineId: a.lineId, accountId: id, productCode: a.productCode, via: 'invitation', invitationId: inv.id }));
        }
        return { ...plan, email, orgName: doc.org.name };
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

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
import { assertAcceptable, canManageInvitation, checkInvite, invitationState, planLineAssignments } from '../../domain/invitations.js';
import { isOrgAdmin, isTeamAdmin } from '../../domain/permissions.js';
import { higherRole } from '../../domain/roles.js';
import { findLine } from '../../domain/seats.js';
import { projectLineIds } from '../../domain/teams.js';
import { hashSecret, newSecret } from '../../core/ids.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../../core/password.js';
import { mailPermissionsChanged } from '../../mail/permissions-mail.js';
import type { Services } from '../../core/services.js';
import type { Account, Invitation, OrgDoc } from '../../domain/model.js';
import type { Router } from '../router.js';
import { findAccountByEmail, recordMismatches, startSession } from './auth.js';

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
  };
}

function productCodes(doc: OrgDoc, lineIds: readonly string[]): string[] {
  return lineIds.map((id) => findLine(doc, id)?.line.productCode).filter((c): c is string => !!c);
}

async function sendInvitationMail(s: Services, doc: OrgDoc, inv: Invitation, token: string, inviter: Account): Promise<void> {
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
  await s.mailer.send({ to: inv.email, subject: `You are invited to ${doc.org.name} on Seatkeeper`, text });
}

function findByToken(s: Services, token: string): { orgId: string; inv: Invitation } | undefined {
  const h = hashSecret(token);
  for (const orgId of s.store.orgIds()) {
    const doc = s.store.org(orgId)!;
    for (const inv of Object.values(doc.invitations)) if (inv.tokenHash === h) return { orgId, inv };
  }
  return undefined;
}

function requireByToken(s: Services, token: string, now: number): { orgId: string; doc: OrgDoc; inv: Invitation } {
  const found = findByToken(s, token);
  if (!found) throw new SeatkeeperError('NOT_FOUND', 'No such invitation; check the link in the mail, or ask for a new one.');
  assertAcceptable(found.inv, now);
  return { ...found, doc: s.store.org(found.orgId)! };
}

function requireManaged(doc: OrgDoc, actorId: string, invitationId: string): Invitation {
  const inv = doc.invitations[invitationId];
  if (!inv) throw new SeatkeeperError('NOT_FOUND', 'No such invitation.');
  if (!canManageInvitation(doc, actorId, inv)) throw new SeatkeeperError('FORBIDDEN', 'You may manage only invitations into teams you administer.');
  return inv;
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

interface Acceptor {
  accountId: string;
  /** set when the account is created (or an invited placeholder completed) by this request */
  create?: { name: string; passwordHash: string; existing: boolean };
  signIn: boolean;
}

async function resolveAcceptor(s: Services, orgId: string, inv: Invitation, body: AcceptInvitationBody, caller: Account | undefined, ip: string): Promise<Acceptor> {
  if (caller) {
    await assertOwnsInvitedEmail(s, orgId, inv, caller, 'signed-in');
    return { accountId: caller.id, signIn: false };
  }
  const email = body.email ?? inv.email;
  const existing = findAccountByEmail(s, email);
  if (existing && existing.passwordHash) {
    if (!body.password) throw new SeatkeeperError('UNAUTHENTICATED', `An account for ${email} exists: give its password, or sign in first.`);
    const key = `${ip}|${email}`;
    const wait = s.signInLimiter.hit(key);
    if (wait > 0) throw new SeatkeeperError('RATE_LIMITED', `Too many attempts. Try again in ${wait} s.`, { retryAfter: wait });
    if (existing.status !== 'active' || !(await verifyPassword(body.password, existing.passwordHash))) {
      throw new SeatkeeperError('INVALID_CREDENTIALS', 'Wrong email or password.');
    }
    s.signInLimiter.reset(key);
    await assertOwnsInvitedEmail(s, orgId, inv, existing, 'password');
    return { accountId: existing.id, signIn: true };
  }
  if (email !== inv.email) {
    // Signing in as an address that has no account: the same answer as a wrong password, unless
    // it is a typo of the invited address or of a member's, which gets "did you mean" (as sign-in).
    await verifyPassword(body.password ?? '', DUMMY_HASH);
    const doc = s.store.org(orgId)!;
    const suggestion = findNearMiss(email, [inv.email, ...memberEmails(doc, s.store.global().accounts)], doc.org.aliasDomains);
    if (suggestion) {
      await recordMismatches(s, email, [{ orgId, suggestion }], 'invite-accept');
      throw new SeatkeeperError('EMAIL_MISMATCH', `There is no account for ${email}. Did you mean ${suggestion}?`, { suggestion });
    }
    throw new SeatkeeperError('INVALID_CREDENTIALS', 'Wrong email or password.');
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
        checkInvite(doc, account.id, body, existing?.id);
        const inv: Invitation = {
          id: s.ids('inv'),
          email: body.email,
          role: body.role,
          lineIds: [...new Set(body.lineIds ?? [])],
          teamId: body.teamId ?? null,
          tokenHash: hashSecret(token),
          createdBy: account.id,
          createdAt: now,
          sentAt: now,
          expiresAt: now + s.config.invitationTtlSeconds * 1000,
          status: 'pending',
          acceptedBy: null,
        };
        doc.invitations[inv.id] = inv;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'invitation.create', inv.id, null, view(inv, now)));
        return inv;
      });
      await sendInvitationMail(s, s.store.org(org.id)!, inv, token, account);
      return view(inv, now);
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
        const inv = requireManaged(doc, account.id, params.invitationId!);
        if (inv.status !== 'pending') throw new SeatkeeperError('INVITATION_CLOSED', `This invitation was ${inv.status}; invite again instead.`);
        const before = { sentAt: inv.sentAt, expiresAt: inv.expiresAt };
        inv.tokenHash = hashSecret(token);
        inv.sentAt = now;
        inv.expiresAt = now + s.config.invitationTtlSeconds * 1000;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'invitation.resend', inv.id, before, { sentAt: inv.sentAt, expiresAt: inv.expiresAt }));
        return { ...inv, lineIds: [...inv.lineIds] };
      });
      await sendInvitationMail(s, s.store.org(org.id)!, inv, token, account);
      return view(inv, now);
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
        const inv = requireManaged(doc, account.id, params.invitationId!);
        if (inv.status !== 'pending') throw new SeatkeeperError('INVITATION_CLOSED', `This invitation was already ${inv.status}.`);
        inv.status = 'cancelled';
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
      const result = await s.store.tx((t) => {
        const doc = t.org(orgId)!;
        const inv = doc.invitations[invId];
        // Checked again inside the transaction: of two concurrent accepts, exactly one wins.
        if (!inv || inv.tokenHash !== tokenHash) throw new SeatkeeperError('NOT_FOUND', 'No such invitation; ask for a new one.');
        assertAcceptable(inv, now);
        const g = t.global();
        const id = acceptor.accountId;
        if (acceptor.create && !acceptor.create.existing && Object.values(g.accounts).some((a) => a.email === inv.email || a.aliases.includes(inv.email))) {
          throw new SeatkeeperError('EMAIL_TAKEN', `An account for ${inv.email} was just created; sign in and accept again.`);
        }
        const prev = doc.members[id];
        const role = prev ? higherRole(prev.role, inv.role) : inv.role;
        const team = inv.teamId ? doc.teams[inv.teamId] : undefined;
        const joinsTeam = !!team && !team.memberIds.includes(id);
        const plan = planLineAssignments(doc, id, inv.lineIds, now);
        // Everything is decided; change.
        let email = g.accounts[id]?.email ?? inv.email;
        if (acceptor.create) {
          const { name, passwordHash } = acceptor.create;
          const base = g.accounts[id];
          g.accounts[id] = base
            ? { ...base, name, passwordHash, status: 'active' }
            : { id, email: inv.email, aliases: [], name, passwordHash, status: 'active', createdAt: now };
          email = inv.email;
        }
        doc.members[id] = prev ? { ...prev, role } : { accountId: id, role, joinedAt: now };
        if (team && joinsTeam) team.memberIds.push(id);
        const assigned = plan.assign.map((p) => {
          const a = { id: s.ids('asg'), lineId: p.lineId, accountId: id, assignedBy: inv.createdBy, assignedAt: now };
          doc.assignments[a.id] = a;
          return { assignmentId: a.id, lineId: p.lineId, productCode: p.productCode };
        });
        inv.status = 'accepted';
        inv.acceptedBy = id;
        t.audit(auditEvent(s.ids, now, orgId, id, 'invitation.accept', inv.id, { status: 'pending' }, { status: 'accepted', accountId: id, created: !!acceptor.create }));
        if (!prev) t.audit(auditEvent(s.ids, now, orgId, id, 'member.join', id, null, { email, role, via: 'invitation', invitationId: inv.id }));
        else if (prev.role !== role) t.audit(auditEvent(s.ids, now, orgId, id, 'role.change', id, { role: prev.role }, { role, via: 'invitation', invitationId: inv.id }));
        if (team && joinsTeam) {
          t.audit(auditEvent(s.ids, now, orgId, id, 'team.member.add', team.id, null, { accountId: id, via: 'invitation' }));
        }
        for (const a of assigned) {
          t.audit(auditEvent(s.ids, now, orgId, id, 'assignment.create', a.assignmentId, null, { lineId: a.lineId, accountId: id, productCode: a.productCode, via: 'invitation', invitationId: inv.id }));
        }
        return {
          reply: {
            orgId,
            orgName: doc.org.name,
            accountId: id,
            role,
            teamId: team?.id ?? null,
            created: !!acceptor.create && !acceptor.create.existing,
            assigned,
            notAssigned: plan.notAssigned,
          } satisfies AcceptInvitationReply,
          email,
          teamName: team?.name,
          projectLines: team ? projectLineIds(doc, team.contractIds) : [],
        };
      });
      if (acceptor.signIn) await startSession(s, { reply }, acceptor.accountId);
      const { reply: out, email } = result;
      s.events.emit('feed', { orgId, at: now, kind: 'member', text: `${email} accepted the invitation and is a ${out.role} now.`, accountId: out.accountId });
      for (const a of out.assigned) {
        s.events.emit('feed', { orgId, at: now, kind: 'assignment', text: `${a.productCode} assigned to ${email} (invitation).`, productCode: a.productCode, accountId: out.accountId });
      }
      if (out.assigned.length || result.projectLines.length) {
        s.gateway.rightsChanged({ orgId, accountIds: [out.accountId] });
      }
      await mailPermissionsChanged(s, out.accountId, out.orgName, [
        `You are a ${out.role} of ${out.orgName}.`,
        ...(result.teamName ? [`You are a member of the team ${result.teamName}.`] : []),
        ...out.assigned.map((a) => `You were assigned ${a.productCode}.`),
      ]);
      return out;
    },
  });
}

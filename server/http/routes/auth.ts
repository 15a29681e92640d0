// Accounts: register (optionally linking an organization by serial), sign in/out, who am I,
// link a serial later, API tokens for scripts.
import { SeatkeeperError } from '../../../shared/errors.js';
import { CreateApiTokenBody, LinkSerialBody, RegisterBody, SignInBody, type Me } from '../../../shared/api/auth.js';
import { auditEvent } from '../../domain/audit.js';
import { findNearMiss, memberEmails } from '../../domain/email-match.js';
import { hashSecret, newSecret } from '../../core/ids.js';
import { hashPassword } from '../../core/password.js';
import { verifyCredentials, type CredentialChecks } from '../../domain/credentials.js';
import { applyLinkSerial, applyRegister, findAccountByEmail as findAccount, planLinkSerial, planRegister, requireOwnToken } from '../../domain/accounts.js';
import type { Services } from '../../core/services.js';
import type { Account, EmailMismatch } from '../../domain/model.js';
import { clearSessionCookie, sessionCookie } from '../caller.js';
import type { Router } from '../router.js';

export function findAccountByEmail(s: Services, email: string): Account | undefined {
  return findAccount(s.store.global().accounts, email);
}

/** What verifyCredentials looks at here; `onUnknownEmail` gives the "did you mean" of the caller. */
export function credentialChecks(s: Services, onUnknownEmail: CredentialChecks['onUnknownEmail']): CredentialChecks {
  return { findAccount: (email) => findAccountByEmail(s, email), limiter: s.signInLimiter, onUnknownEmail };
}

export function meOf(s: Services, account: Account): Me {
  const orgs: Me['orgs'] = [];
  for (const { id, name } of Object.values(s.store.global().orgs)) {
    const m = s.store.org(id)?.members[account.id];
    if (m) orgs.push({ orgId: id, orgName: name, role: m.role, claimed: !!s.store.org(id)!.org.claimedBy });
  }
  return { account: { id: account.id, email: account.email, name: account.name }, orgs };
}

/**
 * Records refused near-miss attempts in each organization's mismatches (shown to its admins) and
 * on its dashboard feed. One transaction for all of them: a refusal is one write, not one per org.
 */
export async function recordMismatches(
  s: Services,
  attempted: string,
  hits: ReadonlyArray<{ orgId: string; suggestion: string }>,
  context: EmailMismatch['context'],
): Promise<void> {
  if (hits.length === 0) return;
  const now = s.clock();
  await s.store.tx((t) => {
    for (const h of hits) {
      const doc = t.org(h.orgId)!;
      doc.mismatches.push({ id: s.ids('mis'), at: now, attempted, suggestion: h.suggestion, context });
      // A bounded list: a typo repeated by a script must not grow the organization's file forever.
      if (doc.mismatches.length > 500) doc.mismatches.splice(0, doc.mismatches.length - 500);
    }
  });
  for (const h of hits) {
    s.events.emit('feed', {
      orgId: h.orgId,
      at: now,
      kind: 'sign-in-failed',
      text: `${context === 'sign-in' ? 'Sign-in' : 'Invitation accepted'} with ${attempted} refused — did they mean ${h.suggestion}?`,
    });
  }
}

/** Looks for a member's address the unknown `email` is a near miss of; records it for the admins. */
export async function refuseNearMiss(s: Services, email: string, context: EmailMismatch['context']): Promise<void> {
  const g = s.store.global();
  const hits: Array<{ orgId: string; suggestion: string }> = [];
  for (const orgId of s.store.orgIds()) {
    const doc = s.store.org(orgId)!;
    const suggestion = findNearMiss(email, memberEmails(doc, g.accounts), doc.org.aliasDomains);
    if (suggestion) hits.push({ orgId, suggestion });
  }
  if (hits.length === 0) return;
  await recordMismatches(s, email, hits, context);
  const suggestion = hits[0]!.suggestion;
  throw new SeatkeeperError('EMAIL_MISMATCH', `There is no account for ${email}. Did you mean ${suggestion}?`, { suggestion });
}

export async function startSession(s: Services, ctx: { reply: { header(k: string, v: string): unknown } }, accountId: string) {
  const token = newSecret('sks');
  const now = s.clock();
  const ttl = s.config.sessionTtlSeconds;
  await s.store.tx((t) => {
    const g = t.global();
    for (const [h, sess] of Object.entries(g.sessions)) if (sess.expiresAt <= now) delete g.sessions[h];
    g.sessions[hashSecret(token)] = { accountId, createdAt: now, expiresAt: now + ttl * 1000 };
  });
  ctx.reply.header('set-cookie', sessionCookie(token, ttl, s.publicUrl().startsWith('https:')));
  return token;
}

export function registerAuthRoutes(r: Router): void {
  r.add({
    method: 'POST',
    url: '/api/v1/auth/register',
    access: 'public',
    body: RegisterBody,
    status: 201,
    summary: 'Create an account; a serial number links it to its organization. Signs in.',
    limit: 'serial',
    async handler({ s, body, reply }) {
      // Checked before the (costly) hash, and again inside the transaction.
      const input = { email: body.email, name: body.name, serial: body.serial, now: 0, id: '', passwordHash: '' };
      planRegister(s.store.global(), (id) => s.store.org(id), input);
      const passwordHash = await hashPassword(body.password);
      const now = s.clock();
      const account = await s.store.tx((t) => {
        const g = t.global();
        const plan = planRegister(g, (id) => t.org(id), { ...input, id: s.ids('acc'), passwordHash, now });
        const doc = plan.orgId ? t.org(plan.orgId)! : undefined;
        applyRegister(g, doc, plan);
        if (doc) t.audit(auditEvent(s.ids, now, doc.org.id, plan.account.id, 'member.link', plan.account.id, null, { email: plan.account.email, via: 'serial' }));
        return plan.account;
      });
      await startSession(s, { reply }, account.id);
      return meOf(s, account);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    access: 'public',
    body: SignInBody,
    summary: 'Sign in with email and password; sets the session cookie. Rate-limited.',
    async handler({ s, body, req, reply }) {
      const account = await verifyCredentials(credentialChecks(s, (email) => refuseNearMiss(s, email, 'sign-in')), { email: body.email, password: body.password, ip: req.ip });
      await startSession(s, { reply }, account.id);
      return meOf(s, account);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/auth/sign-out',
    access: 'account',
    summary: 'End this session (or nothing, for an API token).',
    async handler({ s, caller, reply }) {
      if (caller.via === 'session') {
        await s.store.tx((t) => {
          delete t.global().sessions[caller.credentialHash];
        });
      }
      reply.header('set-cookie', clearSessionCookie(s.publicUrl().startsWith('https:')));
      return { ok: true };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/me',
    access: 'account',
    summary: 'The signed-in account and its organizations with roles.',
    handler: ({ s, account }) => meOf(s, account),
  });

  r.add({
    method: 'POST',
    url: '/api/v1/me/serials',
    access: 'account',
    body: LinkSerialBody,
    summary: "Link the account to a contract's organization by one of its serial numbers.",
    limit: 'serial',
    async handler({ s, body, account }) {
      const now = s.clock();
      await s.store.tx((t) => {
        const plan = planLinkSerial(t.global(), (id) => t.org(id), account.id, body.serial);
        if (!plan) return;
        applyLinkSerial(t.org(plan.orgId)!, account.id, now);
        t.audit(auditEvent(s.ids, now, plan.orgId, account.id, 'member.link', account.id, null, { email: account.email, via: 'serial' }));
      });
      return meOf(s, account);
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/me/tokens',
    access: 'account',
    summary: "List the account's API tokens (never their secrets).",
    handler: ({ s, account }) => ({
      tokens: Object.values(s.store.global().apiTokens)
        .filter((t) => t.accountId === account.id)
        .map(({ id, name, createdAt, lastUsedAt }) => ({ id, name, createdAt, lastUsedAt })),
    }),
  });

  r.add({
    method: 'POST',
    url: '/api/v1/me/tokens',
    access: 'account',
    body: CreateApiTokenBody,
    status: 201,
    summary: 'Create an API token for scripts; the secret is shown once.',
    async handler({ s, body, account }) {
      const secret = newSecret('skt');
      const id = s.ids('tok');
      const now = s.clock();
      await s.store.tx((t) => {
        t.global().apiTokens[hashSecret(secret)] = { id, accountId: account.id, name: body.name, createdAt: now, lastUsedAt: null };
      });
      return { id, name: body.name, token: secret };
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/me/tokens/:tokenId',
    access: 'account',
    summary: 'Revoke an API token.',
    async handler({ s, params, account }) {
      await s.store.tx((t) => {
        const g = t.global();
        const [hash] = requireOwnToken(g, account.id, params.tokenId!);
        delete g.apiTokens[hash];
      });
      return { ok: true };
    },
  });
}

// Accounts: register (optionally linking an organization by serial), sign in/out, who am I,
// link a serial later, API tokens for scripts.
import { SeatkeeperError } from '../../../shared/errors.js';
import { CreateApiTokenBody, LinkSerialBody, RegisterBody, SignInBody, type Me } from '../../../shared/api/auth.js';
import { auditEvent } from '../../domain/audit.js';
import { hashSecret, newSecret } from '../../core/ids.js';
import { hashPassword, needsRehash } from '../../core/password.js';
import { createRateLimiter, type RateLimiter } from '../../core/rate-limit.js';
import { verifyCredentials, type CredentialChecks } from '../../domain/credentials.js';
import { applyLinkSerial, applyRegister, findAccountByEmail as findAccount, planLinkSerial, planRegister, requireOwnToken } from '../../domain/accounts.js';
import type { Services } from '../../core/services.js';
import type { Account } from '../../domain/model.js';
import { noSeatNearMisses, recordMismatch } from '../../domain/mismatches.js';
import { clearSessionCookie, sessionCookie } from '../caller.js';
import type { Router } from '../router.js';

export function findAccountByEmail(s: Services, email: string): Account | undefined {
  return findAccount(s.store.global().accounts, email);
}

/**
 * Failed sign-ins per client address, whatever the email: five times the per-email window of
 * config.signInRateLimit (an office behind one address signs in with typos too).
 */
const addressLimiters = new WeakMap<Services, RateLimiter>();
function addressLimiter(s: Services): RateLimiter {
  let l = addressLimiters.get(s);
  if (!l) {
    const w = s.config.signInRateLimit;
    addressLimiters.set(s, (l = createRateLimiter({ attempts: w.attempts * 5, windowSeconds: w.windowSeconds, clock: s.clock })));
  }
  return l;
}

/** What verifyCredentials looks at here. */
export function credentialChecks(s: Services): CredentialChecks {
  return { findAccount: (email) => findAccountByEmail(s, email), limiter: s.signInLimiter, addressLimiter: addressLimiter(s) };
}

/** A hash made at an older (cheaper) cost is made again at the current one, now that the password is known. */
export async function upgradePasswordHash(s: Services, account: Account, password: string): Promise<void> {
  if (!needsRehash(account.passwordHash)) return;
  const before = account.passwordHash;
  const passwordHash = await hashPassword(password);
  await s.store.tx((t) => {
    const a = t.global().accounts[account.id];
    // Only if nobody changed the password meanwhile.
    if (a && a.passwordHash === before) a.passwordHash = passwordHash;
  });
}

export function meOf(s: Services, account: Account): Me {
  const orgs: Me['orgs'] = [];
  const notices: NonNullable<Me['notices']> = [];
  const accounts = s.store.global().accounts;
  for (const { id, name } of Object.values(s.store.global().orgs)) {
    const doc = s.store.org(id);
    const m = doc?.members[account.id];
    if (!m) continue;
    orgs.push({ orgId: id, orgName: name, role: m.role, claimed: !!doc!.org.claimedBy });
    if (noSeatNearMisses(doc!, accounts, account.id).length) {
      notices.push({ orgId: id, kind: 'no-seat', message: `${name}: no seat for your address (${account.email}); your administrators have been told.` });
    }
  }
  return { account: { id: account.id, email: account.email, name: account.name }, orgs, ...(notices.length ? { notices } : {}) };
}

/**
 * After a sign-in: in each organization of the account where it holds no seat while a near miss
 * of its address does, the pair is listed for the admins (once) with its fix.
 */
export async function recordNoSeatPairs(s: Services, account: Account): Promise<void> {
  const accounts = s.store.global().accounts;
  const due = s.store.orgIds().filter((id) => noSeatNearMisses(s.store.org(id)!, accounts, account.id).length > 0);
  if (due.length === 0) return;
  const now = s.clock();
  await s.store.tx((t) => {
    for (const id of due) {
      const doc = t.org(id)!;
      for (const near of noSeatNearMisses(doc, t.global().accounts, account.id)) {
        if (recordMismatch(doc, { id: s.ids('mis'), at: now, attempted: account.email, suggestion: near, context: 'no-seat' })) {
          s.events.emit('feed', { orgId: id, at: now, kind: 'sign-in-failed', text: `${account.email} signed in without a seat while ${near} holds one: the same person? Fix it under mismatches.` });
        }
      }
    }
  });
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
    summary: 'Sign in with email and password; sets the session cookie. Rate-limited per address and email, and failures per address.',
    async handler({ s, body, req, reply }) {
      // No "did you mean" and nothing recorded: a stranger learns nothing about which addresses exist.
      const account = await verifyCredentials(credentialChecks(s), { email: body.email, password: body.password, ip: req.ip });
      await upgradePasswordHash(s, account, body.password);
      await recordNoSeatPairs(s, account);
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

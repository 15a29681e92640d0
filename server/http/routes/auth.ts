// Accounts: register (optionally linking an organization by serial; answered alike for known and
// unknown addresses), sign in/out, who am I, link a serial later, API tokens for scripts.
import { SeatkeeperError } from '../../../shared/errors.js';
import { ChangePasswordBody, CreateApiTokenBody, LinkSerialBody, PasswordResetBody, PasswordResetRequestBody, RegisterBody, SignInBody, VerifyEmailBody, type Me } from '../../../shared/api/auth.js';
import { applyMailToken, applyVerified, consumeMailToken, isVerified, MAIL_TOKEN_TTL_MS, requireMailToken, type MailTokenKind } from '../../domain/account-mail.js';
import { auditEvent } from '../../domain/audit.js';
import { hashSecret, newSecret } from '../../core/ids.js';
import { dummyHash, hashPassword, needsRehash, passwordClient, verifyPassword } from '../../core/password.js';
import { createRateLimiter, type RateLimiter } from '../../core/rate-limit.js';
import { verifyCredentials, type CredentialChecks } from '../../domain/credentials.js';
import { applyLinkSerial, applyRegister, findAccountByEmail as findAccount, planLinkSerial, planRegister, requireOwnToken, requireSerialOrg } from '../../domain/accounts.js';
import type { Services } from '../../core/services.js';
import type { Account } from '../../domain/model.js';
import { noSeatNearMisses, recordMismatch } from '../../domain/mismatches.js';
import { accountLinkMail, MAIL_LINK_PATHS } from '../../mail/account-link-mail.js';
import { registerAttemptMail } from '../../mail/register-attempt-mail.js';
import { clearSessionCookie, sessionCookie } from '../caller.js';
import type { Router } from '../router.js';

export function findAccountByEmail(s: Services, email: string): Account | undefined {
  return findAccount(s.store.global().accounts, email);
}

/**
 * Failed sign-ins per client address, whatever the email (limits.signInFailuresPerAddress): beyond
 * it every sign-in from the address is refused before any hash, known email or not.
 */
const addressLimiters = new WeakMap<Services, RateLimiter>();
function addressLimiter(s: Services): RateLimiter {
  let l = addressLimiters.get(s);
  if (!l) addressLimiters.set(s, (l = createRateLimiter({ ...s.config.limits.signInFailuresPerAddress, clock: s.clock })));
  return l;
}

/** Hashing done for the client at `ip` waits its turn among addresses (core/password.ts's gate). */
const forClient = <T>(ip: string, fn: () => Promise<T>): Promise<T> => passwordClient.run(ip, fn);

/** What verifyCredentials looks at here. */
export function credentialChecks(s: Services): CredentialChecks {
  return {
    findAccount: (email) => findAccountByEmail(s, email),
    passwords: { verify: verifyPassword, dummyHash },
    limiter: s.signInLimiter,
    addressLimiter: addressLimiter(s),
  };
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
  return { account: { id: account.id, email: account.email, name: account.name, emailVerified: isVerified(account) }, orgs, ...(notices.length ? { notices } : {}) };
}

/**
 * After a sign-in: in each organization of the account where it holds no seat while a near miss
 * of its address does, the pair is listed for the admins (once) with its fix.
 */
export async function recordNoSeatPairs(s: Services, account: Account): Promise<void> {
  const accounts = s.store.global().accounts;
  const due = s.store.orgIds().filter((id) => !s.store.org(id)!.org.removedAt && noSeatNearMisses(s.store.org(id)!, accounts, account.id).length > 0);
  if (due.length === 0) return;
  const now = s.clock();
  const recorded = await s.store.tx((t) => {
    const out: Array<{ orgId: string; near: string }> = [];
    for (const id of due) {
      const doc = t.org(id)!;
      for (const near of noSeatNearMisses(doc, t.global().accounts, account.id)) {
        if (recordMismatch(doc, { id: s.ids('mis'), at: now, attempted: account.email, suggestion: near, context: 'no-seat' })) out.push({ orgId: id, near });
      }
    }
    return out;
  });
  // After the commit: a transaction run again must not tell the dashboards twice.
  for (const { orgId, near } of recorded) {
    s.events.emit('feed', { orgId, at: now, kind: 'sign-in-failed', text: `${account.email} signed in without a seat while ${near} holds one: the same person? Fix it under mismatches.` });
  }
}

/** A new single-use link of `kind` for the account, stored as its hash, and the mail carrying it. */
export async function sendMailLink(s: Services, accountId: string, kind: MailTokenKind): Promise<void> {
  const token = newSecret(kind === 'verify' ? 'skv' : 'skr');
  const now = s.clock();
  const email = await s.store.tx((t) => {
    const a = t.global().accounts[accountId];
    if (!a) return null;
    applyMailToken(a, kind, hashSecret(token), now);
    return a.email;
  });
  if (email) await mailLink(s, email, kind, token);
}

/** The mail carrying a link of `kind` (its token stored already, as its hash). */
async function mailLink(s: Services, email: string, kind: MailTokenKind, token: string): Promise<void> {
  const link = `${s.publicUrl()}${MAIL_LINK_PATHS[kind]}?token=${encodeURIComponent(token)}`;
  await s.mailer.trySend(accountLinkMail(kind, email, link, MAIL_TOKEN_TTL_MS[kind] / 60_000));
}

/** When each account's holder was last told of a register attempt (in memory: a restart forgets it, like the rate limits). */
const attemptsTold = new WeakMap<Services, Map<string, number>>();

/**
 * Someone registered with an address that has an account: its holder is told, with the ways in
 * (sign in, reset the password), at most once a minute so a stranger cannot flood the mailbox.
 */
async function mailRegisterAttempt(s: Services, email: string): Promise<void> {
  const account = findAccountByEmail(s, email);
  if (!account || account.status === 'disabled') return;
  let told = attemptsTold.get(s);
  if (!told) attemptsTold.set(s, (told = new Map()));
  const now = s.clock();
  if ((told.get(account.id) ?? -Infinity) > now - 60_000) return;
  if (told.size > 10_000) for (const [id, at] of told) if (at <= now - 60_000) told.delete(id);
  told.set(account.id, now);
  await s.mailer.trySend(registerAttemptMail(account.email, s.publicUrl()));
}

/** Whether a link of `kind` went to the account less than a minute ago (mail links are throttled per account). */
function sentWithinAMinute(s: Services, account: Account, kind: MailTokenKind): boolean {
  const t = account.mailTokens?.[kind];
  return !!t && t.expiresAt - MAIL_TOKEN_TTL_MS[kind] + 60_000 > s.clock();
}

/** Every session of the account ends, but `keep` (the caller's own). */
function endSessions(g: { sessions: Record<string, { accountId: string }> }, accountId: string, keep?: string): void {
  for (const [h, sess] of Object.entries(g.sessions)) if (sess.accountId === accountId && h !== keep) delete g.sessions[h];
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
    status: 202,
    summary:
      'Create an account (a serial number links it to its organization) and mail its verification link; then sign in. Answered alike whether the address has an account or not: its holder is mailed instead.',
    limit: 'serial',
    async handler({ s, body, req }) {
      // A serial that links nowhere is told (that says nothing about the address), before the costly hash.
      if (body.serial) requireSerialOrg(s.store.global(), (id) => s.store.org(id), body.serial);
      // Hashed either way, through the same bounded queue: the time taken does not tell whether the address is known.
      const passwordHash = await forClient(req.ip, () => hashPassword(body.password));
      const now = s.clock();
      const verifyToken = newSecret('skv');
      const created = await s.store.tx((t) => {
        const g = t.global();
        // Known (also when registered a moment ago by a concurrent request): its holder is told, nothing changes.
        if (findAccount(g.accounts, body.email)) return null;
        const plan = planRegister(g, (id) => t.org(id), { email: body.email, name: body.name, serial: body.serial, id: s.ids('acc'), passwordHash, now });
        const doc = plan.orgId ? t.org(plan.orgId)! : undefined;
        applyRegister(g, doc, plan);
        // The account and its verification link in one commit.
        applyMailToken(plan.account, 'verify', hashSecret(verifyToken), now);
        if (doc) t.audit(auditEvent(s.ids, now, doc.org.id, plan.account.id, 'member.link', plan.account.id, null, { email: plan.account.email, via: 'serial' }));
        return plan.account;
      });
      // Mailed after the answer: neither the answer nor its timing (an SMTP exchange, or none when the
      // holder was told a minute ago) says which case it was.
      const mail = created ? mailLink(s, created.email, 'verify', verifyToken) : mailRegisterAttempt(s, body.email);
      void mail.catch((e: Error) => s.log.warn('register mail failed', { error: e.message }));
      // No session either way: a cookie only for new addresses would say which ones are known.
      return { ok: true };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/auth/verify-email',
    access: 'public',
    body: VerifyEmailBody,
    summary: 'Verify the account\'s address with the token from the mailed link (single-use, a day).',
    async handler({ s, body }) {
      const now = s.clock();
      await s.store.tx((t) => {
        const a = requireMailToken(t.global().accounts, 'verify', hashSecret(body.token), now);
        applyVerified(a, now);
      });
      return { ok: true };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/me/verification',
    access: 'account',
    summary: 'Send the verification mail again (a new link; the old one stops working); at most one a minute.',
    async handler({ s, account }) {
      // At most one a minute: whoever registered someone else's address must not flood their mailbox.
      if (!isVerified(account) && !sentWithinAMinute(s, account, 'verify')) await sendMailLink(s, account.id, 'verify');
      return { ok: true };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/auth/password-reset',
    access: 'public',
    body: PasswordResetRequestBody,
    summary: 'Mail a password reset link (single-use, 30 minutes); answered alike whether the address has an account or not.',
    handler({ s, body }) {
      const account = findAccountByEmail(s, body.email);
      // Done after the answer, so neither the answer nor its timing says whether the address has an account.
      if (account && account.status !== 'disabled') {
        if (!sentWithinAMinute(s, account, 'reset')) void sendMailLink(s, account.id, 'reset').catch((e: Error) => s.log.warn('password reset mail failed', { error: e.message }));
      }
      return { ok: true };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/auth/password-reset/complete',
    access: 'public',
    body: PasswordResetBody,
    summary: 'Set a new password with the token from the reset link; every session of the account ends.',
    async handler({ s, body, req }) {
      const now = s.clock();
      requireMailToken(s.store.global().accounts, 'reset', hashSecret(body.token), now);
      const passwordHash = await forClient(req.ip, () => hashPassword(body.password));
      await s.store.tx((t) => {
        const g = t.global();
        const a = requireMailToken(g.accounts, 'reset', hashSecret(body.token), now);
        a.passwordHash = passwordHash;
        if (a.status === 'invited') a.status = 'active';
        consumeMailToken(a, 'reset');
        // The link proved the mailbox.
        applyVerified(a, now);
        endSessions(g, a.id);
      });
      return { ok: true };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/me/password',
    access: 'account',
    body: ChangePasswordBody,
    summary: 'Change the password (the current one is needed); every other session of the account ends.',
    async handler({ s, body, account, caller, req }) {
      // Limited like sign-in: a stolen session must not guess the password through here.
      await forClient(req.ip, () => verifyCredentials(credentialChecks(s), { email: account.email, password: body.currentPassword, ip: req.ip }));
      const passwordHash = await forClient(req.ip, () => hashPassword(body.newPassword));
      await s.store.tx((t) => {
        const g = t.global();
        const a = g.accounts[account.id];
        if (!a) return;
        a.passwordHash = passwordHash;
        consumeMailToken(a, 'reset');
        endSessions(g, a.id, caller?.via === 'session' ? caller.credentialHash : undefined);
      });
      return { ok: true };
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
      const account = await forClient(req.ip, () => verifyCredentials(credentialChecks(s), { email: body.email, password: body.password, ip: req.ip }));
      await forClient(req.ip, () => upgradePasswordHash(s, account, body.password));
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
        .map(({ id, name, createdAt, lastUsedAt, expiresAt }) => ({ id, name, createdAt, lastUsedAt, expiresAt: expiresAt ?? null })),
    }),
  });

  r.add({
    method: 'POST',
    url: '/api/v1/me/tokens',
    access: 'account',
    body: CreateApiTokenBody,
    status: 201,
    summary: 'Create an API token for scripts (optional expiry in days; sessions only: a token cannot mint tokens); the secret is shown once.',
    async handler({ s, body, account, caller }) {
      // A stolen token must not outlive its revocation by minting others: only a signed-in person makes tokens.
      if (caller?.via === 'token') throw new SeatkeeperError('FORBIDDEN', 'An API token cannot create API tokens; sign in to the portal to make one.');
      const secret = newSecret('skt');
      const id = s.ids('tok');
      const now = s.clock();
      const expiresAt = body.expiresInDays ? now + body.expiresInDays * 24 * 3600 * 1000 : null;
      await s.store.tx((t) => {
        t.global().apiTokens[hashSecret(secret)] = { id, accountId: account.id, name: body.name, createdAt: now, lastUsedAt: null, expiresAt };
      });
      return { id, name: body.name, token: secret, expiresAt };
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

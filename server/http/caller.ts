// Who is calling: a portal session cookie or a bearer API token, looked up by its hash.
import type { FastifyRequest } from 'fastify';
import { tokenUseDue } from '../domain/api-tokens.js';
import { hashSecret } from '../core/ids.js';
import type { Services } from '../core/services.js';
import type { Account } from '../domain/model.js';

export const SESSION_COOKIE = 'sk_session';

export interface Caller {
  account: Account;
  via: 'session' | 'token';
  /** hash of the session or token used */
  credentialHash: string;
}

/** The cookie's value; undefined when absent or not a valid %-encoding (it then names no session). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        // A malformed escape comes from no cookie this server set: treat it as no cookie at all,
        // never as an error (it reaches every route and the live socket's upgrade).
        return undefined;
      }
    }
  }
  return undefined;
}

/** Token hashes whose use is being written, per store: concurrent requests share one write. */
const recording = new WeakMap<object, Set<string>>();

/**
 * Writes the token's `lastUsedAt` in the background: the request neither waits for this
 * bookkeeping nor fails with it (on a full disk a script's reads still work).
 */
function recordTokenUse(s: Services, tokenHash: string): void {
  let pending = recording.get(s.store);
  if (!pending) recording.set(s.store, (pending = new Set()));
  if (pending.has(tokenHash)) return;
  pending.add(tokenHash);
  const now = s.clock();
  s.store
    .tx((t) => {
      const token = t.global().apiTokens[tokenHash];
      // Revoked meanwhile, or recorded by a request that got there first.
      if (token && tokenUseDue(token.lastUsedAt, now)) token.lastUsedAt = now;
    })
    .catch((e: Error) => s.log.debug('could not record API token use', { error: e.message }))
    .finally(() => pending.delete(tokenHash));
}

export function resolveCaller(s: Services, req: Pick<FastifyRequest, 'headers'>): Caller | undefined {
  const g = s.store.global();
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    const h = hashSecret(auth.slice(7).trim());
    const t = g.apiTokens[h];
    const account = t && g.accounts[t.accountId];
    if (account && account.status === 'active' && !(t.expiresAt && t.expiresAt <= s.clock())) {
      if (tokenUseDue(t.lastUsedAt, s.clock())) recordTokenUse(s, h);
      return { account, via: 'token', credentialHash: h };
    }
    return undefined;
  }
  const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (!cookie) return undefined;
  const h = hashSecret(cookie);
  const session = g.sessions[h];
  if (!session || session.expiresAt <= s.clock()) return undefined;
  const account = g.accounts[session.accountId];
  if (!account || account.status !== 'active') return undefined;
  return { account, via: 'session', credentialHash: h };
}

export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export function clearSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

// Known-device cookies (OWASP: "slow down online guessing attacks with device cookies"). A
// successful sign-in leaves a cookie naming the account, signed with a per-process secret; a
// later sign-in for that same account carrying it has its password checked ahead of the queue,
// so a flood of guesses from strangers (who hold no such cookie) cannot make real people wait.
// It proves nothing by itself: the password is still checked, at the same cost.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { passwordPriority } from '../core/password.js';
import type { Services } from '../core/services.js';
import { readCookie } from './caller.js';

export const KNOWN_DEVICE_COOKIE = 'sk_known';
const SIGN_IN = '/api/v1/auth/sign-in';
const MAX_AGE_SECONDS = 90 * 24 * 3600;

export class KnownDevices {
  readonly #secret = randomBytes(32);
  /** accounts with a priority sign-in under way: one each, so an account cannot flood the lane with its own cookie */
  readonly #inFlight = new Set<string>();
  constructor(private readonly s: Services) {}

  #mac(accountId: string): string {
    return createHmac('sha256', this.#secret).update(accountId).digest('base64url');
  }

  /** The account a request's known-device cookie vouches for, if its signature holds. */
  accountOf(req: Pick<FastifyRequest, 'headers'>): string | undefined {
    const value = readCookie(req.headers.cookie, KNOWN_DEVICE_COOKIE);
    const dot = value?.lastIndexOf('.') ?? -1;
    if (!value || dot <= 0) return undefined;
    const accountId = value.slice(0, dot);
    const mac = Buffer.from(value.slice(dot + 1));
    const want = Buffer.from(this.#mac(accountId));
    return mac.length === want.length && timingSafeEqual(mac, want) ? accountId : undefined;
  }

  /**
   * Runs a route handler; a sign-in for the account the cookie names gets the password queue's
   * priority lane (one at a time per account; a second goes the ordinary way).
   */
  run<T>(req: FastifyRequest, body: unknown, fn: () => T): T {
    if (req.method !== 'POST' || req.url.split('?')[0] !== SIGN_IN) return fn();
    const accountId = this.accountOf(req);
    const email = (body as { email?: unknown } | undefined)?.email;
    if (!accountId || typeof email !== 'string') return fn();
    const account = this.s.store.global().accounts[accountId];
    const known = !!account && (account.email === email || account.aliases.includes(email));
    if (!known || this.#inFlight.has(accountId)) return fn();
    this.#inFlight.add(accountId);
    const out = passwordPriority.run(true, fn);
    void Promise.resolve(out).then(
      () => this.#inFlight.delete(accountId),
      () => this.#inFlight.delete(accountId),
    );
    return out;
  }

  /** After a successful sign-in: the cookie for next time. */
  remember(reply: FastifyReply, accountId: string): void {
    const secure = this.s.publicUrl().startsWith('https:') ? '; Secure' : '';
    const cookie = `${KNOWN_DEVICE_COOKIE}=${encodeURIComponent(`${accountId}.${this.#mac(accountId)}`)}; Path=${SIGN_IN}; HttpOnly; SameSite=Strict; Max-Age=${MAX_AGE_SECONDS}${secure}`;
    const prev = reply.getHeader('set-cookie');
    reply.header('set-cookie', [...(Array.isArray(prev) ? prev : prev ? [String(prev)] : []), cookie]);
  }

  /** After a route answered: a successful sign-in (its reply names the account) leaves the cookie. */
  after(req: FastifyRequest, reply: FastifyReply, result: unknown): void {
    if (req.method !== 'POST' || req.url.split('?')[0] !== SIGN_IN) return;
    const accountId = (result as { account?: { id?: unknown } } | undefined)?.account?.id;
    if (typeof accountId === 'string') this.remember(reply, accountId);
  }
}

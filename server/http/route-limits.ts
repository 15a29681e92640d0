// Per-route request limits, declared in the route table: every unauthenticated route is limited
// per client address; routes that take a serial number are limited per address and per account.
import { SeatkeeperError } from '../../shared/errors.js';
import type { Limits, Window } from '../core/config.js';
import { createRateLimiter, type RateLimiter } from '../core/rate-limit.js';
import type { Services } from '../core/services.js';
import { addressKey } from '../core/client-address.js';

/**
 * Public routes always count per address (config limits.publicRoute) unless they declare their own
 * window; 'serial' adds the serial-guess limit (unknown serials tried, per address and per account).
 */
export type RouteLimit = 'serial' | { perAddress: keyof Limits };

export class RouteLimits {
  readonly #perRoute = new Map<string, RateLimiter>();
  readonly #serials: RateLimiter;
  constructor(private readonly s: Services) {
    this.#serials = createRateLimiter({ ...s.config.limits.serialGuesses, clock: s.clock });
  }

  #limiter(route: string, w: Window): RateLimiter {
    let l = this.#perRoute.get(route);
    if (!l) this.#perRoute.set(route, (l = createRateLimiter({ ...w, clock: this.s.clock })));
    return l;
  }

  /** Before anything else: a public route (or one declaring its own window) counts the address. */
  checkAddress(route: string, isPublic: boolean, limit: RouteLimit | undefined, address: string): void {
    const w: Window | undefined = typeof limit === 'object' ? (this.s.config.limits[limit.perAddress] as Window) : isPublic ? this.s.config.limits.publicRoute : undefined;
    if (!w) return;
    const wait = this.#limiter(route, w).hit(addressKey(address));
    if (wait > 0) throw new SeatkeeperError('RATE_LIMITED', `Too many requests from your address. Try again in ${wait} s.`, { retryAfter: wait });
  }

  /**
   * After the body is read: an address or account that has tried too many serial numbers that
   * belong to nothing may not try another (not even the right one) until its window ends.
   */
  checkSerial(limit: RouteLimit | undefined, address: string, accountId: string | undefined, body: unknown): void {
    if (limit !== 'serial' || !carriesSerial(body)) return;
    const wait = Math.max(this.#serials.peek(`ip:${addressKey(address)}`), accountId ? this.#serials.peek(`acc:${accountId}`) : 0);
    if (wait > 0) {
      this.s.log.warn('audit: serial number tries over the limit', { address, accountId });
      throw new SeatkeeperError('RATE_LIMITED', `Too many serial numbers tried. Try again in ${wait} s.`, { retryAfter: wait });
    }
  }

  /** A request of the route failed: an unknown serial counts against the address and the account. */
  failed(limit: RouteLimit | undefined, address: string, accountId: string | undefined, error: unknown): void {
    if (limit !== 'serial' || !(error instanceof SeatkeeperError) || error.code !== 'UNKNOWN_SERIAL') return;
    this.#serials.hit(`ip:${addressKey(address)}`);
    if (accountId) this.#serials.hit(`acc:${accountId}`);
  }
}

function carriesSerial(body: unknown): boolean {
  const serial = (body as { serial?: unknown } | undefined)?.serial;
  return typeof serial === 'string' && serial !== '';
}

// Pending device sign-in codes (RFC 8628 in spirit). In memory: they live ten minutes, and a
// restart only means the person asks their workstation for a new one. Guessing is throttled per
// account: after `maxFailures` wrong codes in a window every attempt is refused until it ends.
import { randomBytes } from 'node:crypto';
import { SeatkeeperError } from '../../shared/errors.js';
import type { Clock } from '../core/clock.js';
import { normalizeUserCode, userCodeFrom } from '../domain/devices.js';

export interface PendingCode {
  userCode: string;
  orgId: string;
  deviceId: string;
  /** the connection that asked; it gets login.done */
  connId: string;
  expiresAt: number;
}

export interface DeviceCodeOptions {
  clock: Clock;
  ttlSeconds?: number;
  maxFailures?: number;
  windowSeconds?: number;
  random?: () => number;
  /** told of each code that expired unused, when it expires (its agent is waiting for an answer) */
  onExpire?: (code: PendingCode) => void;
}

export class DeviceCodeBook {
  readonly ttlSeconds: number;
  readonly #codes = new Map<string, PendingCode>();
  readonly #failures = new Map<string, { start: number; count: number }>();
  readonly #clock: Clock;
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #randomByte: () => number;
  readonly #onExpire: (code: PendingCode) => void;
  /** fires at the next expiry; one for the whole book, however many codes are pending */
  #timer: NodeJS.Timeout | null = null;

  constructor(opts: DeviceCodeOptions) {
    this.#clock = opts.clock;
    this.#onExpire = opts.onExpire ?? (() => {});
    this.ttlSeconds = opts.ttlSeconds ?? 600;
    this.#maxFailures = opts.maxFailures ?? 10;
    this.#windowMs = (opts.windowSeconds ?? 60) * 1000;
    this.#randomByte = opts.random ?? (() => randomBytes(1)[0]!);
  }

  /** A new code for the device; an earlier pending code of the same device stops working. */
  issue(orgId: string, deviceId: string, connId: string): PendingCode {
    this.sweep();
    for (const [k, c] of this.#codes) if (c.deviceId === deviceId && c.orgId === orgId) this.#codes.delete(k);
    let userCode: string;
    do userCode = userCodeFrom(this.#randomByte);
    while (this.#codes.has(userCode));
    const code: PendingCode = { userCode, orgId, deviceId, connId, expiresAt: this.#clock() + this.ttlSeconds * 1000 };
    this.#codes.set(userCode, code);
    this.#arm();
    return code;
  }

  /**
   * Takes the pending code `typed` for `accountId`, who must be allowed on the code's organization
   * (`mayUse`). Wrong, expired and foreign codes look the same and count as a failed guess.
   */
  take(typed: string, accountId: string, mayUse: (code: PendingCode) => boolean): PendingCode {
    const now = this.#clock();
    const f = this.#failures.get(accountId);
    if (f && now - f.start < this.#windowMs && f.count >= this.#maxFailures) {
      const retryAfter = Math.max(1, Math.ceil((f.start + this.#windowMs - now) / 1000));
      throw new SeatkeeperError('RATE_LIMITED', `Too many wrong codes. Try again in ${retryAfter} s.`, { retryAfter });
    }
    const key = normalizeUserCode(typed);
    const code = key ? this.#codes.get(key) : undefined;
    if (!code || code.expiresAt <= now || !mayUse(code)) {
      const w = f && now - f.start < this.#windowMs ? f : { start: now, count: 0 };
      w.count++;
      this.#failures.set(accountId, w);
      throw new SeatkeeperError('DEVICE_CODE_INVALID', 'That code is wrong or has expired. Ask your workstation for a new one.');
    }
    this.#codes.delete(code.userCode);
    return code;
  }

  /** Drops the device's pending codes (it was revoked or signed in another way). */
  forget(deviceId: string): void {
    for (const [k, c] of this.#codes) if (c.deviceId === deviceId) this.#codes.delete(k);
  }

  /** Stops the expiry timer; pending codes are forgotten. Safe to call twice. */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#codes.clear();
  }

  /** Sets the timer for the earliest pending expiry, unless one is set. */
  #arm(): void {
    if (this.#timer || this.#codes.size === 0) return;
    let next = Infinity;
    for (const c of this.#codes.values()) next = Math.min(next, c.expiresAt);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.sweep();
      this.#arm();
    }, Math.max(0, next - this.#clock()) + 5);
    this.#timer.unref();
  }

  /** Drops expired codes (telling `onExpire` of each) and finished failure windows. */
  sweep(): void {
    const now = this.#clock();
    for (const [k, c] of this.#codes) {
      if (c.expiresAt > now) continue;
      this.#codes.delete(k);
      this.#onExpire(c);
    }
    for (const [k, f] of this.#failures) if (now - f.start >= this.#windowMs) this.#failures.delete(k);
  }
}

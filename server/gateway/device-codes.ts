// Pending device sign-in codes (RFC 8628 in spirit). They live ten minutes; a restart only means
// the person asks their workstation for a new one. One node: in memory. Several nodes
// (PostgreSQL): also in the database, hashed (store.deviceCodes), so the person may type the code on
// any node; the node holding the workstation's socket keeps its own codes in memory too, to tell
// the socket when its code expired or was taken elsewhere. Guessing is throttled per account (per
// node): after `maxFailures` wrong codes in a window every attempt is refused until it ends.
import { createHash, randomBytes } from 'node:crypto';
import { SeatkeeperError } from '../../shared/errors.js';
import type { Clock } from '../core/clock.js';
import { normalizeUserCode, userCodeFrom } from '../domain/devices.js';
import type { SharedDeviceCodes } from '../store/store.js';

const hashOf = (userCode: string) => createHash('sha256').update(userCode).digest('hex');

export interface PendingCode {
  userCode: string;
  orgId: string;
  deviceId: string;
  /** the connection that asked, on this node ('' when it is on another node); it gets login.done */
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
  /** several nodes: the codes every node sees */
  shared?: SharedDeviceCodes;
  /** codes pending at once per organization, across the cluster (config limits.deviceCodesPendingPerOrg) */
  maxPendingPerOrg?: number;
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
  readonly #shared: SharedDeviceCodes | undefined;
  readonly #maxPendingPerOrg: number;
  /** this node, among those sharing codes */
  readonly #nodeId = randomBytes(6).toString('hex');

  constructor(opts: DeviceCodeOptions) {
    this.#clock = opts.clock;
    this.#onExpire = opts.onExpire ?? (() => {});
    this.ttlSeconds = opts.ttlSeconds ?? 600;
    this.#maxFailures = opts.maxFailures ?? 10;
    this.#windowMs = (opts.windowSeconds ?? 60) * 1000;
    this.#randomByte = opts.random ?? (() => randomBytes(1)[0]!);
    this.#shared = opts.shared;
    this.#maxPendingPerOrg = opts.maxPendingPerOrg ?? 200;
  }

  /** A new code for the device; an earlier pending code of the same device stops working. */
  async issue(orgId: string, deviceId: string, connId: string): Promise<PendingCode> {
    this.sweep();
    let userCode: string;
    do userCode = userCodeFrom(this.#randomByte);
    while (this.#codes.has(userCode));
    const code: PendingCode = { userCode, orgId, deviceId, connId, expiresAt: this.#clock() + this.ttlSeconds * 1000 };
    // Stored for every node first: a code the database refused (too many pending) is never shown.
    await this.#shared?.issue({ hash: hashOf(userCode), orgId, deviceId, nodeId: this.#nodeId, connId, expiresAt: code.expiresAt }, this.#maxPendingPerOrg, this.#clock());
    if (!this.#shared) {
      let pending = 0;
      // The device's own earlier code is about to be replaced: it does not count.
      for (const c of this.#codes.values()) if (c.orgId === orgId && c.deviceId !== deviceId) pending++;
      if (pending >= this.#maxPendingPerOrg) throw new SeatkeeperError('RATE_LIMITED', 'Too many sign-in codes are waiting in this organization. Try again in a few minutes.', { retryAfter: 60 });
    }
    for (const [k, c] of this.#codes) if (c.deviceId === deviceId && c.orgId === orgId) this.#codes.delete(k);
    this.#codes.set(userCode, code);
    this.#arm();
    return code;
  }

  /**
   * Takes the pending code `typed` for `accountId`, who must be allowed on the code's organization
   * (`mayUse`). Wrong, expired and foreign codes look the same and count as a failed guess. With
   * several nodes the code may have been issued by another node: its `connId` is then ''.
   */
  async take(typed: string, accountId: string, mayUse: (code: PendingCode) => boolean): Promise<PendingCode> {
    const now = this.#clock();
    const f = this.#failures.get(accountId);
    if (f && now - f.start < this.#windowMs && f.count >= this.#maxFailures) {
      const retryAfter = Math.max(1, Math.ceil((f.start + this.#windowMs - now) / 1000));
      throw new SeatkeeperError('RATE_LIMITED', `Too many wrong codes. Try again in ${retryAfter} s.`, { retryAfter });
    }
    const key = normalizeUserCode(typed);
    const wrong = () => {
      const w = f && now - f.start < this.#windowMs ? f : { start: now, count: 0 };
      w.count++;
      this.#failures.set(accountId, w);
      return new SeatkeeperError('DEVICE_CODE_INVALID', 'That code is wrong or has expired. Ask your workstation for a new one.');
    };
    if (!key) throw wrong();
    if (this.#shared) {
      const row = await this.#shared.find(hashOf(key), now);
      const code: PendingCode | undefined = row && { userCode: key, orgId: row.orgId, deviceId: row.deviceId, connId: row.nodeId === this.#nodeId ? row.connId : '', expiresAt: row.expiresAt };
      // Taken in the database: two nodes typing the same code at once, one of them wins.
      if (!code || !mayUse(code) || !(await this.#shared.take(hashOf(key), accountId, now))) throw wrong();
      this.#codes.delete(key);
      return code;
    }
    const code = this.#codes.get(key);
    if (!code || code.expiresAt <= now || !mayUse(code)) throw wrong();
    this.#codes.delete(code.userCode);
    return code;
  }

  /**
   * Several nodes: the codes this node issued for the device that were taken on another node, and
   * by whom (the node then tells the waiting socket). Asked when the device's record changed.
   */
  async takenElsewhere(orgId: string, deviceId: string): Promise<Array<{ code: PendingCode; accountId: string }>> {
    if (!this.#shared) return [];
    const mine = [...this.#codes.values()].filter((c) => c.orgId === orgId && c.deviceId === deviceId);
    if (mine.length === 0) return [];
    const taken = await this.#shared.takenBy(mine.map((c) => hashOf(c.userCode)));
    const out: Array<{ code: PendingCode; accountId: string }> = [];
    for (const c of mine) {
      const accountId = taken.get(hashOf(c.userCode));
      if (accountId === undefined || !this.#codes.delete(c.userCode)) continue;
      out.push({ code: c, accountId });
    }
    return out;
  }

  /** Drops the device's pending codes (it was revoked or signed in another way). */
  forget(deviceId: string): void {
    for (const [k, c] of this.#codes) if (c.deviceId === deviceId) this.#codes.delete(k);
    // Best effort: a code left in the database expires, and is refused for a revoked device anyway.
    this.#shared?.forget(deviceId).catch(() => {});
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

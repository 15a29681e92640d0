// scrypt password hashes: "scrypt$N$r$p$salt$hash". Verification is constant-time. Every hash
// passes one process-wide gate: a few at once, a short queue served fairly per client address, and
// beyond it RATE_LIMITED at once, so strangers' sign-ins cannot take every hashing slot (128 MiB
// of memory each) nor make people from other addresses wait behind them. The hashing itself runs
// in a process of its own, strangers' at the lowest CPU priority (password-hasher.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { SeatkeeperError } from '../../shared/errors.js';
import { configureHasher, scryptApart, type HasherLog } from './password-hasher.js';

/** scrypt's cost. OWASP's password storage guidance: N=2^17, r=8, p=1 (128 MiB per hash). */
export interface PasswordCost {
  N: number;
  r: number;
  p: number;
}

export const OWASP_COST: PasswordCost = { N: 2 ** 17, r: 8, p: 1 };

/** Process-wide like the gate; startServer sets it from the config (tests lower it there, never the environment). */
let cost: PasswordCost = { ...OWASP_COST };

export function configurePasswordCost(c: PasswordCost = OWASP_COST): void {
  if (!Number.isInteger(Math.log2(c.N)) || c.N < 2 || c.r < 1 || c.p < 1) throw new Error(`config.passwordCost: N must be a power of 2, r and p positive`);
  cost = { ...c };
}

export function currentPasswordCost(): PasswordCost {
  return { ...cost };
}

/** scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) refuses N=2^17. */
const maxmem = (c: PasswordCost) => 128 * c.N * c.r * c.p + 16 * 1024 * 1024;

/**
 * Work run inside `passwordPriority.run(true, …)` goes ahead of the queue and is never refused:
 * the HTTP layer grants it to a sign-in that carries the known-device cookie of that very account
 * (http/known-device.ts), which a stranger flooding with guesses cannot have.
 */
export const passwordPriority = new AsyncLocalStorage<boolean>();

/**
 * The client address the work is done for (the routes that hash set it): waiting work is served
 * one address after another, and each address may keep only a few jobs waiting, so a flood from
 * one address neither fills the queue nor makes anyone from another address wait behind it.
 */
export const passwordClient = new AsyncLocalStorage<string>();

/**
 * Bounded work: `concurrency` jobs run, `queue` more wait (at most `perClient` of them for one
 * client address), the rest are refused at once; priority work first. With two or more slots, one
 * is kept for priority work: a genuine sign-in never waits for a stranger's hash to finish.
 */
export class WorkGate {
  #running = 0;
  #runningNormal = 0;
  #waiting = 0;
  readonly #priority: Array<() => void> = [];
  /** waiters per client, in the order the clients came: served round-robin */
  readonly #byClient = new Map<string, Array<() => void>>();
  constructor(
    public concurrency: number,
    public queue: number,
    public perClient = Infinity,
  ) {}

  get running(): number {
    return this.#running;
  }
  /** jobs waiting in the queue (priority work aside) */
  get waiting(): number {
    return this.#waiting;
  }

  /** slots ordinary work may use */
  get #normalSlots(): number {
    return this.concurrency >= 2 ? this.concurrency - 1 : this.concurrency;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    const priority = passwordPriority.getStore() === true;
    if (priority) {
      if (this.#running < this.concurrency) this.#running++;
      else await new Promise<void>((resolve) => this.#priority.push(resolve));
    } else if (this.#waiting === 0 && this.#running < this.concurrency && this.#runningNormal < this.#normalSlots) {
      this.#running++;
      this.#runningNormal++;
    } else {
      // Work with no client address (none set by the caller) is not capped per client, only by the queue.
      const client = passwordClient.getStore();
      const key = client ?? '';
      const mine = this.#byClient.get(key);
      if (this.#waiting >= this.queue || (client !== undefined && (mine?.length ?? 0) >= this.perClient)) {
        throw new SeatkeeperError('RATE_LIMITED', 'The server is busy checking passwords. Try again in a moment.', { retryAfter: 1 });
      }
      this.#waiting++;
      await new Promise<void>((resolve) => (mine ? mine.push(resolve) : this.#byClient.set(key, [resolve])));
    }
    try {
      return await job();
    } finally {
      this.#running--;
      if (!priority) this.#runningNormal--;
      this.#dispatch();
    }
  }

  /** Hands free slots to waiters (counted here, before they resume, so a newcomer cannot jump the queue). */
  #dispatch(): void {
    while (this.#running < this.concurrency) {
      const p = this.#priority.shift();
      if (p) {
        this.#running++;
        p();
        continue;
      }
      if (this.#waiting === 0 || this.#runningNormal >= this.#normalSlots) return;
      // The client first in line is served once, then goes to the back of the line.
      const [key, waiters] = this.#byClient.entries().next().value as [string, Array<() => void>];
      const next = waiters.shift()!;
      this.#byClient.delete(key);
      if (waiters.length > 0) this.#byClient.set(key, waiters);
      this.#waiting--;
      this.#running++;
      this.#runningNormal++;
      next();
    }
  }
}

/** The hashing children are per process, so the gate is too; startServer sets its size from the config. */
export const passwordGate = new WorkGate(2, 16, 4);

export function configurePasswordGate(limits: { passwordHashConcurrency: number; passwordHashQueue: number; passwordHashQueuePerAddress: number }, log?: HasherLog): void {
  passwordGate.concurrency = limits.passwordHashConcurrency;
  passwordGate.queue = limits.passwordHashQueue;
  passwordGate.perClient = limits.passwordHashQueuePerAddress;
  configureHasher({ threads: limits.passwordHashConcurrency, log });
}

const scrypt = (pw: string, salt: Buffer, len: number, opts: ScryptOptions) =>
  passwordGate.run(() => scryptApart(pw, salt, len, opts, passwordPriority.getStore() === true));

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p } = cost;
  const key = await scrypt(password, salt, 32, { N, r, p, maxmem: maxmem(cost) });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, rr, pp, salt, hash] = parts as [string, string, string, string, string, string];
  const c = { N: +n, r: +rr, p: +pp };
  // A stored hash is data: a cost beyond what this server would ever choose is not honoured.
  if (!(c.N >= 2 && c.N <= 2 ** 20 && c.r >= 1 && c.r <= 32 && c.p >= 1 && c.p <= 16)) return false;
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length === 0) return false;
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { ...c, maxmem: maxmem(c) });
  return timingSafeEqual(key, expected);
}

/** A hash made at another cost than the current one (an older, cheaper one): rehash after a good sign-in. */
export function needsRehash(stored: string | null): boolean {
  if (!stored) return false;
  const [, n, rr, pp] = stored.split('$');
  return +n! !== cost.N || +rr! !== cost.r || +pp! !== cost.p;
}

/** A hash to compare against when the account does not exist (or has no password), at the current cost, so timing does not tell. */
export function dummyHash(): string {
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;
}

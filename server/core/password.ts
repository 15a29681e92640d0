// scrypt password hashes: "scrypt$N$r$p$salt$hash". Verification is constant-time. Every hash
// passes one process-wide gate: a few at once, a short queue, and beyond it RATE_LIMITED at once,
// so strangers' sign-ins cannot fill the thread pool every other request needs (disk writes too).
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { SeatkeeperError } from '../../shared/errors.js';

const rawScrypt = (pw: string, salt: Buffer, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(pw, salt, len, opts, (err, key) => (err ? reject(err) : resolve(key))));

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

/** Bounded work: `concurrency` jobs run, `queue` more wait, the rest are refused; priority work first. */
export class WorkGate {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  readonly #priority: Array<() => void> = [];
  constructor(
    public concurrency: number,
    public queue: number,
  ) {}

  get running(): number {
    return this.#running;
  }
  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (passwordPriority.getStore() === true) await new Promise<void>((resolve) => this.#priority.push(resolve));
      else {
        if (this.#waiting.length >= this.queue) {
          throw new SeatkeeperError('RATE_LIMITED', 'The server is busy checking passwords. Try again in a moment.', { retryAfter: 1 });
        }
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
      }
    } else this.#running++;
    try {
      return await job();
    } finally {
      // The slot passes straight to the next waiter, so the count never dips and lets a newcomer jump the queue.
      const next = this.#priority.shift() ?? this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}

/** The libuv pool is per process, so the gate is too; startServer sets its size from the config. */
export const passwordGate = new WorkGate(2, 8);

export function configurePasswordGate(limits: { passwordHashConcurrency: number; passwordHashQueue: number }): void {
  passwordGate.concurrency = limits.passwordHashConcurrency;
  passwordGate.queue = limits.passwordHashQueue;
}

const scrypt = (pw: string, salt: Buffer, len: number, opts: ScryptOptions) => passwordGate.run(() => rawScrypt(pw, salt, len, opts));

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

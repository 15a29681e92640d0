// scrypt password hashes: "scrypt$N$r$p$salt$hash". Verification is constant-time. Every hash
// passes one process-wide gate: a few at once, a short queue, and beyond it RATE_LIMITED at once,
// so strangers' sign-ins cannot fill the thread pool every other request needs (disk writes too).
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { SeatkeeperError } from '../../shared/errors.js';

const rawScrypt = (pw: string, salt: Buffer, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(pw, salt, len, opts, (err, key) => (err ? reject(err) : resolve(key))));

const N = 16384;
const r = 8;
const p = 1;

/** Bounded work: `concurrency` jobs run, `queue` more wait, the rest are refused. */
export class WorkGate {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
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
      if (this.#waiting.length >= this.queue) {
        throw new SeatkeeperError('RATE_LIMITED', 'The server is busy checking passwords. Try again in a moment.', { retryAfter: 1 });
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else this.#running++;
    try {
      return await job();
    } finally {
      // The slot passes straight to the next waiter, so the count never dips and lets a newcomer jump the queue.
      const next = this.#waiting.shift();
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
  const key = await scrypt(password, salt, 32, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, rr, pp, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: +n, r: +rr, p: +pp });
  return timingSafeEqual(key, expected);
}

/** A hash to compare against when the account does not exist, so timing does not tell. */
export const DUMMY_HASH = `scrypt$${N}$${r}$${p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;

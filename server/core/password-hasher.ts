// Password hashing in processes of its own. Each scrypt at OWASP's cost maps, touches and frees
// 128 MiB. Done inside the server, every hash takes the process's memory-map lock many times; a
// hashing thread at low priority preempted while holding it makes the event loop wait for it (a
// priority inversion), and every free interrupts the server's other threads to flush their TLBs. In
// a child process none of that touches the server: a flood of strangers' guesses costs it only the
// CPU the child is given, and the child that hashes strangers' guesses runs at the lowest priority
// (nice 19), so on a small machine the event loop and every durable write get a core first (issue
// 14 §1: an admin's write waited 10–26× its quiet time during a flood of sign-ins). Priority work
// (a sign-in from a known device) hashes in a second child at normal priority.
import { spawn, type ChildProcess } from 'node:child_process';
import { scrypt, type ScryptOptions } from 'node:crypto';

/**
 * Nice 19 on Linux: the event loop first, whatever strangers send. Measured in the flood bench, an
 * admin's durable write during a hash flood took 1.2× its quiet p99 at 19 and 3.9× at 10 (threads
 * in the server then). The cost: while both cores are busy with other work, such a hash crawls and
 * its queue answers 429 sooner; a sign-in from a known device keeps its slot at normal priority.
 */
export const BACKGROUND_NICE = 19;

// Set on every thread the child has (Linux's priorities are per thread: V8's are already
// running) before libuv's pool starts, so the pool's threads inherit it from the main thread.
// Only ever lowered: a server started at a lower priority than this keeps its own. The child ends
// with its parent (the IPC channel closes when the server exits, however it exits).
const CHILD_SOURCE = `
const nice = Number(process.argv[1]);
const os = require('node:os');
const lower = (id) => { try { if (os.getPriority(id) < nice) os.setPriority(id, nice); } catch {} };
if (nice) {
  let tids = [];
  try { tids = require('node:fs').readdirSync('/proc/self/task').map(Number); } catch {}
  for (const tid of tids) lower(tid);
  lower(0);
}
// The kernel's out-of-memory killer takes this child before the server (raising it needs no privilege).
try { require('node:fs').writeFileSync('/proc/self/oom_score_adj', '1000'); } catch {}
const { scrypt } = require('node:crypto');
process.on('disconnect', () => process.exit(0));
process.on('message', ({ id, password, salt, length, options }) => {
  const reply = (m) => { if (process.connected) process.send(m); };
  try {
    scrypt(password, salt, length, options, (err, key) => reply(err ? { id, error: String(err.message) } : { id, key }));
  } catch (err) {
    reply({ id, error: String((err && err.message) || err) });
  }
});
`;

interface Job {
  resolve(key: Buffer): void;
  reject(err: Error): void;
}

/** The child itself failed (not the hash): the work goes to libuv's scrypt instead. */
class HasherFailure extends Error {}

/** How a hashing child is started: `spawn` in the server; a test gives one that fails. */
export type StartChild = (nice: number, threads: number) => ChildProcess;

const spawnChild: StartChild = (nice, threads) =>
  // No environment: the server's (database URL, SMTP password) is none of the child's business.
  spawn(process.execPath, ['-e', CHILD_SOURCE, String(nice)], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'advanced',
    env: { UV_THREADPOOL_SIZE: String(Math.max(1, threads)) },
    windowsHide: true,
  });

/** Where a hasher tells that its child failed and the server hashes in-process meanwhile. */
export type HasherLog = (message: string, meta: Record<string, unknown>) => void;

/** After a failed start or a death, the child is started again after this long, doubling up to the maximum. */
export const RETRY_MS = 30_000;
const MAX_RETRY_MS = 5 * 60_000;

/**
 * One hashing child, started when first needed and again after it fails. While it cannot be had
 * (spawn failed, no descriptors left, killed), hashes run on libuv's scrypt in the server: slower
 * for the rest, never refused; the gate in password.ts still bounds how many.
 */
export class Hasher {
  #child: ChildProcess | undefined;
  readonly #jobs = new Map<number, Job>();
  #next = 0;
  /** failures since the last hash the child answered */
  #failures = 0;
  #retryAt = 0;

  constructor(
    readonly nice: number,
    /** libuv threads in the child: as many as the gate lets run at once (read when it starts) */
    readonly threads: () => number,
    readonly log: () => HasherLog,
    readonly start: StartChild = spawnChild,
    readonly now: () => number = Date.now,
  ) {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Hashes in the child; in the server when the child cannot be had. */
  async hash(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
    if (this.#child || this.now() >= this.#retryAt) {
      try {
        const key = await this.#inChild(password, salt, length, options);
        this.#failures = 0;
        return key;
      } catch (err) {
        if (!(err instanceof HasherFailure)) throw err;
      }
    }
    return inline(password, salt, length, options);
  }

  #inChild(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const child = this.#start();
      const id = this.#next++;
      this.#jobs.set(id, { resolve, reject });
      child.ref();
      child.channel?.ref();
      try {
        child.send({ id, password, salt, length, options }, (err) => {
          if (err) this.#fail(child, err.message);
        });
      } catch (err) {
        this.#fail(child, (err as Error).message);
      }
    });
  }

  #start(): ChildProcess {
    if (this.#child) return this.#child;
    let child: ChildProcess;
    try {
      child = this.start(this.nice, this.threads());
    } catch (err) {
      this.#failed(`could not start: ${(err as Error).message}`);
      throw new HasherFailure((err as Error).message);
    }
    this.#child = child;
    // Descriptors exhausted (EMFILE): spawn hands back a child with no pid and no channel.
    if (child.pid === undefined || typeof child.send !== 'function') {
      queueMicrotask(() => this.#fail(child, 'could not start'));
    }
    child.on('error', (err) => this.#fail(child, err.message));
    // 'close', not 'exit': replies already on their way are read first.
    child.on('close', (code, signal) => this.#fail(child, `exited (${signal ?? code})`));
    child.on('message', (m: { id: number; key?: Buffer; error?: string }) => {
      const job = this.#jobs.get(m.id);
      this.#jobs.delete(m.id);
      if (!job) return;
      if (m.key) job.resolve(Buffer.from(m.key));
      else job.reject(new Error(m.error ?? 'scrypt failed'));
      this.#idle();
    });
    this.#idle();
    return child;
  }

  /** The child is gone or unusable: its jobs are done in the server, and it is started again later. */
  #fail(child: ChildProcess, why: string): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const jobs = [...this.#jobs.values()];
    this.#jobs.clear();
    this.#failed(why);
    for (const job of jobs) job.reject(new HasherFailure(why));
  }

  #failed(why: string): void {
    this.#failures++;
    // The first death is retried at once (the next hash starts a new child); then a pause that doubles.
    const wait = this.#failures <= 1 ? 0 : Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** (this.#failures - 2));
    this.#retryAt = this.now() + wait;
    this.log()('password hasher failed; hashing in the server until it is back', { why, nice: this.nice, failures: this.#failures, retryInMs: wait });
  }

  /** The child keeps the server alive only while it has work. */
  #idle(): void {
    if (this.#jobs.size > 0 || !this.#child) return;
    this.#child.unref();
    this.#child.channel?.unref();
  }
}

const inline = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password, salt, length, options, (err, key) => (err ? reject(err) : resolve(key))));

let concurrency = 2;
let log: HasherLog = () => {};
/** How many hashes the gate lets run at once (each child gets as many threads), and where failures are told. */
export function configureHasher(opts: { threads: number; log?: HasherLog }): void {
  concurrency = opts.threads;
  if (opts.log) log = opts.log;
}

const background = new Hasher(BACKGROUND_NICE, () => concurrency, () => log);
const foreground = new Hasher(0, () => concurrency, () => log);

/** The process ids of the hashing children that have started, to see their priorities. */
export function hasherPids(): { background?: number; priority?: number } {
  return { background: background.pid, priority: foreground.pid };
}

/** scrypt in a hashing child: `priority` work at normal CPU priority, the rest below it. */
export function scryptApart(password: string, salt: Buffer, length: number, options: ScryptOptions, priority: boolean): Promise<Buffer> {
  return (priority ? foreground : background).hash(password, salt, length, options);
}

// Password hashing in processes of its own. Each scrypt at OWASP's cost maps, touches and frees
// 128 MiB. Done inside the server, every hash takes the process's memory-map lock many times; a
// hashing thread at low priority preempted while holding it makes the event loop wait for it (a
// priority inversion), and every free interrupts the server's other threads to flush their TLBs. In
// a child process none of that touches the server: a flood of strangers' guesses costs it only the
// CPU the child is given, and the child that hashes strangers' guesses runs at the lowest priority
// (nice 19), so on a small machine the event loop and every durable write get a core first (issue
// 14 §1: an admin's write waited 10–26× its quiet time during a flood of sign-ins). Priority work
// (a sign-in from a known device) hashes in a second child at normal priority. A child that cannot
// start (no memory, a process limit) leaves the work to libuv's scrypt: slower for the rest, never refused.
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

class HasherProcess {
  #child: ChildProcess | undefined;
  readonly #jobs = new Map<number, Job>();
  #next = 0;
  /** children that failed to start or died: after a few, the work stays on libuv's scrypt */
  failures = 0;

  constructor(
    readonly nice: number,
    /** libuv threads in the child: as many as the gate lets run at once */
    readonly threads: () => number,
  ) {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  #start(): ChildProcess {
    if (this.#child) return this.#child;
    // No environment: the server's (database URL, SMTP password) is none of the child's business.
    const child = spawn(process.execPath, ['-e', CHILD_SOURCE, String(this.nice)], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
      env: { UV_THREADPOOL_SIZE: String(Math.max(1, this.threads())) },
      windowsHide: true,
    });
    this.#child = child;
    const fail = (why: string) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      this.failures++;
      for (const job of this.#jobs.values()) job.reject(new HasherFailure(why));
      this.#jobs.clear();
    };
    child.on('error', (err) => fail(err.message));
    child.on('exit', (code, signal) => fail(`password hasher exited (${signal ?? code})`));
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

  /** The child keeps the server alive only while it has work. */
  #idle(): void {
    if (this.#jobs.size > 0 || !this.#child) return;
    this.#child.unref();
    this.#child.channel?.unref();
  }

  hash(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
    const child = this.#start();
    const id = this.#next++;
    return new Promise<Buffer>((resolve, reject) => {
      this.#jobs.set(id, { resolve, reject });
      child.ref();
      child.channel?.ref();
      child.send({ id, password, salt, length, options }, (err) => {
        if (!err || !this.#jobs.has(id)) return;
        this.#jobs.delete(id);
        reject(new HasherFailure(err.message));
        this.#idle();
      });
    });
  }
}

class Hasher {
  readonly #process: HasherProcess;
  constructor(nice: number, threads: () => number) {
    this.#process = new HasherProcess(nice, threads);
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  hash(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
    if (this.#process.failures >= 3) return inline(password, salt, length, options);
    return this.#process.hash(password, salt, length, options).catch((err: unknown) => {
      if (!(err instanceof HasherFailure)) throw err;
      return inline(password, salt, length, options);
    });
  }
}

const inline = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password, salt, length, options, (err, key) => (err ? reject(err) : resolve(key))));

let concurrency = 2;
/** How many hashes the gate lets run at once: each child gets as many threads (read when it starts). */
export function configureHasherThreads(n: number): void {
  concurrency = n;
}

const background = new Hasher(BACKGROUND_NICE, () => concurrency);
const foreground = new Hasher(0, () => concurrency);

/** The process ids of the hashing children that have started, to see their priorities. */
export function hasherPids(): { background?: number; priority?: number } {
  return { background: background.pid, priority: foreground.pid };
}

/** scrypt in a hashing child: `priority` work at normal CPU priority, the rest below it. */
export function scryptApart(password: string, salt: Buffer, length: number, options: ScryptOptions, priority: boolean): Promise<Buffer> {
  return (priority ? foreground : background).hash(password, salt, length, options);
}

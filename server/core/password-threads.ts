// Password hashing on threads of its own, apart from libuv's pool: disk writes (fsync) never queue
// behind a hash, and the threads that hash a stranger's guess run at the lowest CPU priority (nice 19), so
// on a small machine the event loop and every durable write get a core first (issue 14 §1: an
// admin's write waited 10–26× its quiet time during a flood of sign-ins). Priority work (a
// sign-in from a known device) hashes on a thread at normal priority. Threads that cannot start
// (no memory, a thread limit) leave the work to libuv's scrypt: slower for the rest, never refused.
import { Worker } from 'node:worker_threads';
import { scrypt, type ScryptOptions } from 'node:crypto';

/**
 * Nice 19 on Linux: the event loop first, whatever strangers send. Measured in the flood bench, an
 * admin's durable write during a hash flood took 1.2× its quiet p99 at 19 and 3.9× at 10. The cost:
 * while both cores are busy with other work, such a hash crawls and its queue answers 429 sooner;
 * a sign-in from a known device keeps its slot at normal priority. Elsewhere the thread keeps the
 * process's priority.
 */
export const BACKGROUND_NICE = 19;

// CommonJS, evaluated: the server ships as one bundle, so the worker has no file of its own.
// /proc/thread-self names this thread's id; setpriority on a thread id renices that thread alone.
// Only ever lowered: a process started at a lower priority than this keeps its own.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
let tid = 0;
try {
  tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  const os = require('node:os');
  if (workerData.nice && os.getPriority(tid) < workerData.nice) os.setPriority(tid, workerData.nice);
} catch {}
parentPort.postMessage({ tid });
parentPort.on('message', ({ id, password, salt, length, options }) => {
  try {
    const key = scryptSync(password, Buffer.from(salt), length, options);
    parentPort.postMessage({ id, key });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
`;

interface Job {
  resolve(key: Buffer): void;
  reject(err: Error): void;
}

/** The thread itself failed (not the hash): the work goes to libuv's scrypt instead. */
class ThreadFailure extends Error {}

class HashThread {
  readonly #worker: Worker;
  readonly #jobs = new Map<number, Job>();
  #next = 0;
  dead = false;
  /** the thread's id on Linux (0 elsewhere, or until it has started) */
  tid = 0;

  constructor(nice: number) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { nice } });
    this.#worker.unref();
    this.#worker.on('message', (m: { id?: number; tid?: number; key?: Uint8Array; error?: string }) => {
      if (m.id === undefined) return void (this.tid = m.tid ?? 0);
      const job = this.#jobs.get(m.id);
      this.#jobs.delete(m.id);
      if (!job) return;
      if (m.key) job.resolve(Buffer.from(m.key));
      else job.reject(new Error(m.error ?? 'scrypt failed'));
    });
    const fail = (err: Error) => {
      this.dead = true;
      for (const job of this.#jobs.values()) job.reject(err);
      this.#jobs.clear();
    };
    this.#worker.on('error', (err) => fail(new ThreadFailure(err.message)));
    this.#worker.on('exit', (code) => fail(new ThreadFailure(`password thread exited (${code})`)));
  }

  get busy(): number {
    return this.#jobs.size;
  }

  hash(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
    const id = this.#next++;
    return new Promise<Buffer>((resolve, reject) => {
      this.#jobs.set(id, { resolve, reject });
      // The worker keeps the process alive only while it has work.
      if (this.#jobs.size === 1) this.#worker.ref();
      this.#worker.postMessage({ id, password, salt: new Uint8Array(salt), length, options });
    }).finally(() => {
      if (this.#jobs.size === 0) this.#worker.unref();
    });
  }
}

/**
 * Threads made as needed, one job each at a time (the gate in password.ts bounds how many run):
 * a job goes to an idle thread of its kind, or a new one.
 */
class HashThreads {
  readonly #threads: HashThread[] = [];
  /** threads failed to start: after a few, the work stays on libuv's scrypt */
  #failures = 0;
  constructor(readonly nice: number) {}

  get tids(): number[] {
    return this.#threads.filter((t) => !t.dead && t.tid).map((t) => t.tid);
  }

  hash(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
    if (this.#failures >= 3) return inline(password, salt, length, options);
    for (let i = this.#threads.length - 1; i >= 0; i--) if (this.#threads[i]!.dead) this.#threads.splice(i, 1);
    let t = this.#threads.find((x) => x.busy === 0);
    if (!t) this.#threads.push((t = new HashThread(this.nice)));
    return t.hash(password, salt, length, options).catch((err: unknown) => {
      if (!(err instanceof ThreadFailure)) throw err;
      this.#failures++;
      return inline(password, salt, length, options);
    });
  }
}

const inline = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password, salt, length, options, (err, key) => (err ? reject(err) : resolve(key))));

const background = new HashThreads(BACKGROUND_NICE);
const foreground = new HashThreads(0);

/** The ids of the live hashing threads of each kind (Linux), to see their priorities. */
export function hashThreadIds(): { background: number[]; priority: number[] } {
  return { background: background.tids, priority: foreground.tids };
}

/** scrypt on a hashing thread: `priority` work at normal CPU priority, the rest below it. */
export function scryptOnThread(password: string, salt: Buffer, length: number, options: ScryptOptions, priority: boolean): Promise<Buffer> {
  return (priority ? foreground : background).hash(password, salt, length, options);
}

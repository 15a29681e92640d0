// Password hashing on threads of its own, apart from libuv's pool: disk writes (fsync) never queue
// behind a hash, and the threads that hash a stranger's guess run at the lowest CPU priority, so
// on a small machine the event loop and every durable write get a core first (issue 14 §1: an
// admin's write waited 10–26× its quiet time during a flood of sign-ins). Priority work (a
// sign-in from a known device) hashes on a thread at normal priority.
import { Worker } from 'node:worker_threads';
import type { ScryptOptions } from 'node:crypto';

/** Lowest priority on Linux; elsewhere the thread keeps the process's own. */
const BACKGROUND_NICE = 19;

// CommonJS, evaluated: the server ships as one bundle, so the worker has no file of its own.
// /proc/thread-self names this thread's id; setpriority on a thread id renices that thread alone.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
if (workerData.nice) {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    require('node:os').setPriority(tid, workerData.nice);
  } catch {}
}
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

class HashThread {
  readonly #worker: Worker;
  readonly #jobs = new Map<number, Job>();
  #next = 0;
  dead = false;

  constructor(nice: number) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { nice } });
    this.#worker.unref();
    this.#worker.on('message', (m: { id: number; key?: Uint8Array; error?: string }) => {
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
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`password thread exited (${code})`)));
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
  constructor(readonly nice: number) {}

  hash(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
    for (let i = this.#threads.length - 1; i >= 0; i--) if (this.#threads[i]!.dead) this.#threads.splice(i, 1);
    let t = this.#threads.find((x) => x.busy === 0);
    if (!t) this.#threads.push((t = new HashThread(this.nice)));
    return t.hash(password, salt, length, options);
  }
}

const background = new HashThreads(BACKGROUND_NICE);
const foreground = new HashThreads(0);

/** scrypt on a hashing thread: `priority` work at normal CPU priority, the rest at the lowest. */
export function scryptOnThread(password: string, salt: Buffer, length: number, options: ScryptOptions, priority: boolean): Promise<Buffer> {
  return (priority ? foreground : background).hash(password, salt, length, options);
}

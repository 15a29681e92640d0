// Ed25519 work off the event loop: a small pool of worker threads signs lease payloads and checks
// hello signatures, in batches (the requests of one turn of the event loop go as one message). A
// pool that fails does the work inline instead: slower, never wrong.
import { availableParallelism } from 'node:os';
import { sign, verify, type KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { devicePublicKey } from '../../shared/protocol/hello-signature.js';

/** One script, run as an eval'd worker so it needs no file of its own beside the bundle. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey, createPublicKey, sign, verify } = require('node:crypto');
let key = createPrivateKey({ key: Buffer.from(workerData.pkcs8), format: 'der', type: 'pkcs8' });
const publicKeys = new Map();
function publicKeyOf(x) {
  let k = publicKeys.get(x);
  if (!k) {
    k = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    if (publicKeys.size >= 100000) publicKeys.clear();
    publicKeys.set(x, k);
  }
  return k;
}
parentPort.on('message', ({ id, jobs, pkcs8 }) => {
  if (pkcs8) return void (key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }));
  const results = jobs.map((j) => {
    try {
      if (j.k === 's') return sign(null, Buffer.from(j.input, 'utf8'), key).toString('base64url');
      const sig = Buffer.from(j.sig, 'base64url');
      return sig.length === 64 && verify(null, Buffer.from(j.input, 'utf8'), publicKeyOf(j.x), sig);
    } catch {
      return j.k === 's' ? null : false;
    }
  });
  parentPort.postMessage({ id, results });
});
`;

type Job = { k: 's'; input: string } | { k: 'v'; x: string; input: string; sig: string };
interface Queued {
  job: Job;
  resolve(r: string | boolean | null): void;
}

/** Jobs per message: big enough to pay for the message, small enough to spread over the workers. */
const BATCH = 128;

export class CryptoPool {
  #key: KeyObject;
  readonly #workers: Worker[] = [];
  readonly #inFlight = new Map<number, Queued[]>();
  #queue: Queued[] = [];
  #scheduled = false;
  #seq = 0;
  #next = 0;
  #broken = false;

  /** `size` 0 does everything inline (one core: a worker would only take turns with the loop). */
  constructor(privateKey: KeyObject, size = Math.min(2, availableParallelism() - 1)) {
    this.#key = privateKey;
    if (size <= 0) return;
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { pkcs8 } });
      w.unref();
      w.on('message', (m: { id: number; results: Array<string | boolean | null> }) => this.#done(m.id, m.results));
      w.on('error', () => this.#fail());
      w.on('exit', () => this.#fail());
      this.#workers.push(w);
    }
  }

  /** The lease key was rotated: the workers sign with `privateKey` from the next message on. */
  rekey(privateKey: KeyObject): void {
    if (privateKey === this.#key) return;
    // What was asked before goes out first, so it is signed with the key it was asked of.
    if (this.#queue.length > 0 && !this.#broken) this.#flush();
    this.#key = privateKey;
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    for (const w of this.#workers) w.postMessage({ pkcs8 });
  }

  /** base64url Ed25519 signature of `input` with the lease key (or `privateKey`, when it is another: inline). */
  async sign(input: string, privateKey: KeyObject = this.#key): Promise<string> {
    if (privateKey !== this.#key) return sign(null, Buffer.from(input, 'utf8'), privateKey).toString('base64url');
    const r = await this.#enqueue({ k: 's', input });
    return typeof r === 'string' ? r : sign(null, Buffer.from(input, 'utf8'), this.#key).toString('base64url');
  }

  /** Checks a signature (base64url) over `input` against an enrolled public key (raw x); never throws. */
  async verify(publicKeyX: string, input: string, signature: string): Promise<boolean> {
    return (await this.#enqueue({ k: 'v', x: publicKeyX, input, sig: signature })) === true;
  }

  close(): Promise<void> {
    this.#broken = true;
    const workers = this.#workers.splice(0);
    this.#fail();
    return Promise.all(workers.map((w) => w.terminate())).then(() => {});
  }

  #enqueue(job: Job): Promise<string | boolean | null> {
    if (this.#broken || this.#workers.length === 0) return Promise.resolve(inline(job, this.#key));
    return new Promise((resolve) => {
      this.#queue.push({ job, resolve });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    if (this.#broken) return void queue.forEach((q) => q.resolve(inline(q.job, this.#key)));
    for (let i = 0; i < queue.length; i += BATCH) {
      const batch = queue.slice(i, i + BATCH);
      const id = ++this.#seq;
      this.#inFlight.set(id, batch);
      this.#workers[this.#next++ % this.#workers.length]!.postMessage({ id, jobs: batch.map((q) => q.job) });
    }
  }

  #done(id: number, results: Array<string | boolean | null>): void {
    const batch = this.#inFlight.get(id);
    if (!batch) return;
    this.#inFlight.delete(id);
    batch.forEach((q, i) => q.resolve(results[i] ?? null));
  }

  /** A worker died: everything it held (and all that follows) is done inline. */
  #fail(): void {
    this.#broken = true;
    for (const batch of this.#inFlight.values()) for (const q of batch) q.resolve(inline(q.job, this.#key));
    this.#inFlight.clear();
  }
}

function inline(job: Job, key: KeyObject): string | boolean {
  if (job.k === 's') return sign(null, Buffer.from(job.input, 'utf8'), key).toString('base64url');
  try {
    const sig = Buffer.from(job.sig, 'base64url');
    return sig.length === 64 && verify(null, Buffer.from(job.input, 'utf8'), devicePublicKey(job.x), sig);
  } catch {
    return false;
  }
}

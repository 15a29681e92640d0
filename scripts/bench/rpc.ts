// Request/response over the IPC channel of a forked helper process (the benchmark's server,
// simulated-agent swarms and raw ws baseline each run in their own process).
import { fork, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Request {
  rpc: number;
  cmd: string;
  args: unknown;
}
type Reply = { rpc: number; ok: true; result: unknown } | { rpc: number; ok: false; error: string };
interface Event {
  event: string;
  data: unknown;
}

/** Milliseconds on CLOCK_MONOTONIC: the same clock in every process on the machine. */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** dist/ (where the bundled helpers live beside dist/bench.mjs). */
export const distDir = dirname(fileURLToPath(import.meta.url));

export class Helper {
  readonly child: ChildProcess;
  readonly name: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #seq = 0;
  #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #listeners = new Map<string, Set<(data: any) => void>>();

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.on('message', (m: Reply | Event) => {
      if ('rpc' in m) {
        const p = this.#pending.get(m.rpc);
        if (!p) return;
        this.#pending.delete(m.rpc);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(`${name}: ${m.error}`));
      } else for (const l of this.#listeners.get(m.event) ?? []) l(m.data);
    });
    void this.exited.then(({ code, signal }) => {
      for (const p of this.#pending.values()) p.reject(new Error(`${name} exited (${code ?? signal}) during a call`));
      this.#pending.clear();
    });
  }

  /** Forks dist/<file>, resolves once it emitted `ready` (with that event's data). */
  static async start<R = unknown>(name: string, file: string, args: string[] = [], execArgv: string[] = []): Promise<{ helper: Helper; ready: R }> {
    const child = fork(join(distDir, file), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    const helper = new Helper(name, child);
    const ready = await new Promise<R>((resolve, reject) => {
      helper.once('ready', (d) => resolve(d as R));
      void helper.exited.then(({ code, signal }) => reject(new Error(`${name} exited (${code ?? signal}) before it was ready`)));
    });
    return { helper, ready };
  }

  get pid(): number {
    return this.child.pid!;
  }

  call<T = unknown>(cmd: string, args: unknown = {}): Promise<T> {
    const rpc = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(rpc, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ rpc, cmd, args } satisfies Request);
    });
  }

  on(event: string, fn: (data: any) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  once(event: string, fn: (data: any) => void): void {
    const off = this.on(event, (d) => {
      off();
      fn(d);
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Safe to call twice. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

let profiler: Session | null = null;

/** What every helper answers besides its own commands: a CPU profile of a phase (SEATKEEPER_BENCH_PROFILE). */
const builtIn: Record<string, (args: any) => unknown> = {
  profStart: async () => {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
    await profiler.post('Profiler.start');
  },
  profStop: async ({ file }: { file: string }) => {
    if (!profiler) return;
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    profiler.disconnect();
    profiler = null;
  },
};

/** Child side: answers calls with `handlers` and tells the parent it is ready. */
export function serve(handlers: Record<string, (args: any) => unknown>, ready: unknown = {}): void {
  process.on('message', (m: Request) => {
    const h = handlers[m.cmd] ?? builtIn[m.cmd];
    Promise.resolve()
      .then(() => {
        if (!h) throw new Error(`unknown command ${m.cmd}`);
        return h(m.args);
      })
      .then(
        (result) => process.send!({ rpc: m.rpc, ok: true, result: result ?? null } satisfies Reply),
        (e: unknown) => process.send!({ rpc: m.rpc, ok: false, error: (e as Error)?.stack ?? String(e) } satisfies Reply),
      );
  });
  // The parent going away takes the helper with it.
  process.on('disconnect', () => process.exit(0));
  emit('ready', ready);
}

export function emit(event: string, data: unknown): void {
  process.send?.({ event, data } satisfies Event);
}

/** VmRSS of a process in bytes, from /proc (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** The soft limit on open files of this process (children inherit it). */
export async function openFileLimit(): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const m = /Max open files\s+(\d+|unlimited)/.exec(await readFile('/proc/self/limits', 'utf8'));
  return !m || m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

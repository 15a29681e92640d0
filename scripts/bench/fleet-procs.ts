// The processes of the fleet benchmarks and how the parent drives them: the server under test,
// the simulated-agent swarms, the bare ws baseline; plus the small helpers the phases share.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Helper, monoMs, rssOf } from './rpc.js';

export const SWARMS = 2;
/** handshakes in flight per swarm (the server's listen backlog is 511) */
const CONCURRENCY = 128;
/** what the server process needs besides agent sockets: data files, stdio, IPC, epoll, listener */
export const FD_RESERVE = 200;

export interface ServerProc {
  helper: Helper;
  port: number;
  url: string;
}

const profileDir = process.env.SEATKEEPER_BENCH_PROFILE ? join('bench-results', 'profiles') : null;

export async function startBenchServer(dataDir: string, port = 0): Promise<ServerProc> {
  // SEATKEEPER_BENCH_SERVER=other.mjs (in dist/) runs an experimental build of the server helper.
  const file = process.env.SEATKEEPER_BENCH_SERVER ?? 'bench-server.mjs';
  const { helper, ready } = await Helper.start<{ port: number; url: string }>('bench-server', file, ['--data', dataDir, '--port', String(port)], [
    '--expose-gc',
    '--max-old-space-size=4096',
    // SEATKEEPER_BENCH_SERVER_FLAGS="--trace-gc …": node flags for the server under test (diagnosis only).
    ...(process.env.SEATKEEPER_BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? []),
  ]);
  return { helper, ...ready };
}

/**
 * Runs `fn` with the server's CPU profiled when SEATKEEPER_BENCH_PROFILE names the phase (or is
 * "all"); with "swarm" in the list too, each of `swarms` is profiled over the same phase.
 */
export async function profiled<T>(srv: ServerProc, phase: string, fn: () => Promise<T>, swarms: Helper[] = []): Promise<T> {
  const want = process.env.SEATKEEPER_BENCH_PROFILE?.split(',') ?? [];
  if (!profileDir || (!want.includes('all') && !want.includes(phase.split('@')[0]!))) return fn();
  await mkdir(profileDir, { recursive: true });
  const helpers: [Helper, string][] = [[srv.helper, phase], ...(want.includes('swarm') ? swarms.map((h, k): [Helper, string] => [h, `${phase}-swarm${k}`]) : [])];
  await Promise.all(helpers.map(([h]) => h.call('profStart')));
  try {
    return await fn();
  } finally {
    await Promise.all(helpers.map(([h, name]) => h.call('profStop', { file: join(profileDir, `${name}.cpuprofile`) })));
  }
}

const startRaw = (port: number) => Helper.start<{ port: number }>('raw-ws', 'bench-raw.mjs', ['--port', String(port)], ['--expose-gc', '--max-old-space-size=4096']);

export class Fleet {
  readonly swarms: Helper[];
  raw: Helper;
  readonly rawPort: number;
  readonly #revokeWaiters = new Map<number, (e: { t: number; reason: string }) => void>();

  constructor(swarms: Helper[], raw: Helper, rawPort: number) {
    this.swarms = swarms;
    this.raw = raw;
    this.rawPort = rawPort;
    for (const s of swarms) s.on('revoke', (e: { i: number; t: number; reason: string }) => this.#revokeWaiters.get(e.i)?.(e));
  }

  static async start(): Promise<Fleet> {
    const swarms = await Promise.all(
      Array.from({ length: SWARMS }, async (_, k) => (await Helper.start(`swarm${k}`, 'bench-swarm.mjs', [], ['--max-old-space-size=4096'])).helper),
    );
    const raw = await startRaw(0);
    return new Fleet(swarms, raw.helper, raw.ready.port);
  }

  /** Restarts the bare ws server on its port (its own reconnect storm). */
  async restartRaw(): Promise<void> {
    await this.raw.stop();
    this.raw = (await startRaw(this.rawPort)).helper;
  }

  async close(): Promise<void> {
    await Promise.all([...this.swarms, this.raw].map((h) => h.stop()));
  }

  all<T>(cmd: string, args: unknown = {}): Promise<T[]> {
    return Promise.all(this.swarms.map((s) => s.call<T>(cmd, args)));
  }

  /** Gives each swarm its share of [0, n) against `url`. */
  async setup(url: string, n: number, raw: boolean): Promise<void> {
    await Promise.all(
      this.swarms.map((s, k) => s.call('setup', { url, raw, from: Math.floor((k * n) / SWARMS), to: Math.floor(((k + 1) * n) / SWARMS) })),
    );
  }

  /** Connects all n (or as many as connect within `timeoutMs`); rate from the first connect to the last reconcile. */
  async connect(n: number, timeoutMs: number): Promise<{ connected: number; rate: number }> {
    const t0 = monoMs();
    const rs = await this.all<{ connected: number; tLast: number }>('connect', { upTo: n, concurrency: CONCURRENCY, timeoutMs });
    const connected = rs.reduce((a, r) => a + r.connected, 0);
    if (connected < n) process.stderr.write(`  only ${connected} of ${n} agents connected: ${JSON.stringify(await this.all('status'))}\n`);
    return { connected, rate: (connected / (Math.max(...rs.map((r) => r.tLast)) - t0)) * 1000 };
  }

  revoked(i: number, timeoutMs = 15_000): Promise<{ t: number; reason: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#revokeWaiters.delete(i);
        reject(new Error(`agent ${i} got no lease.revoke within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#revokeWaiters.set(i, (e) => {
        clearTimeout(timer);
        this.#revokeWaiters.delete(i);
        resolve(e);
      });
    });
  }

  /** Arms every swarm, runs `trigger`, returns ms from the trigger to the last agent's ack. */
  async orgWide(lease: 'lease.grant' | 'lease.revoke', trigger: () => Promise<void>): Promise<number> {
    await this.all('armExpect', { methodSwitch: true, lease });
    const t0 = monoMs();
    await trigger();
    const rs = await this.all<{ tLast: number; missing: number; timedOut: boolean }>('awaitExpect', { timeoutMs: 180_000 });
    const missing = rs.reduce((a, r) => a + r.missing, 0);
    if (missing > 0) throw new Error(`${missing} agents did not get every push of the org-wide change`);
    return Math.max(...rs.map((r) => r.tLast)) - t0;
  }

  async holding(): Promise<number> {
    return (await this.all<{ holding: number }>('status')).reduce((a, s) => a + s.holding, 0);
  }
}

/** Deterministic sample of distinct device indices (a seeded shuffle), the same every run. */
export function sample(n: number, count: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  let x = 0x9e3779b9;
  const rand = () => {
    // xorshift32
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, Math.min(count, n));
}

export async function http(method: string, url: string, token: string | null, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

export async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function rssAfterGc(h: Helper): Promise<number> {
  await h.call('gc');
  return rssOf(h.pid);
}

// A process holding thousands of simulated agents (dist/bench-swarm.mjs). Each speaks the real
// protocol from ./shared (parseFrame/encodeFrame, a hello signed with its Ed25519 device key,
// acks after applying) and reconnects like agent/link/connection.ts: the agent's own Backoff,
// a 10 s handshake timeout, a backoff reset after 10 s of stable connection, no retry after a
// final close; given several servers (a cluster's nodes) it moves to the next one after each
// close, as the agent does with several --server. It does not verify lease signatures or write a
// state directory: it measures the server, not the agent. The same socket code talks to the raw
// `ws` baseline server.
import type { KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { Backoff } from '../../agent/link/backoff.js';
import { peekLeaseClaims } from '../../shared/lease.js';
import { isFinalClose } from '../../shared/protocol/error.js';
import { signHello } from '../../shared/protocol/hello-signature.js';
import { encodeFrame, parseFrame, type AgentToServer, type Outgoing, type ServerToAgent } from '../../shared/protocol/messages.js';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { BENCH_INVENTORY, BENCH_INVENTORY_HASH, BENCH_PRODUCT, benchDeviceKey, deviceIdOf } from './fleet-identity.js';
import { emit, monoMs, serve } from './rpc.js';

const HANDSHAKE_TIMEOUT_MS = 10_000;
const STABLE_AFTER_MS = 10_000;

type PushType = 'lease.grant' | 'lease.revoke' | 'method.switch';

/**
 * Device keys, imported once per agent and kept across fleet sizes. A workstation loads its key
 * when the agent starts, not at each connect; importing one here costs about 1.4 ms (OpenSSL's
 * PKCS#8 decoder), which inside the connect phase was a third of the swarm's CPU.
 */
const keys = new Map<number, KeyObject>();
function keyOf(i: number): KeyObject {
  let k = keys.get(i);
  if (!k) keys.set(i, (k = benchDeviceKey(i).privateKey));
  return k;
}

class SimAgent {
  readonly i: number;
  readonly deviceId: string;
  readonly raw: boolean;
  /** the servers to try, in turn (the agent's --server list) */
  readonly urls: string[];
  #at = 0;
  ws: WebSocket | null = null;
  state: 'idle' | 'connecting' | 'ready' | 'waiting' | 'closed' = 'idle';
  /** product → jti of the lease held */
  readonly held = new Map<string, string>();
  readonly backoff = new Backoff();
  readyAt = 0;
  attempts = 0;
  reconciles = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(i: number, urls: string[], raw: boolean) {
    this.i = i;
    this.deviceId = deviceIdOf(i);
    this.urls = urls;
    this.raw = raw;
  }

  get url(): string {
    return this.urls[this.#at]!;
  }

  get key(): KeyObject {
    return keyOf(this.i);
  }

  connect(): void {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    this.attempts++;
    stats.attempts++;
    const ws = new WebSocket(this.raw ? `${this.url}?i=${this.i}` : this.url, {
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      // One machine plays 20k workstations: spread them over loopback addresses, or the ~28k
      // ephemeral ports of one address run out while a storm leaves thousands in TIME_WAIT.
      localAddress: `127.0.0.${2 + (this.i % 32)}`,
    });
    this.ws = ws;
    this.#setTimer(() => {
      failures.set('handshake timeout', (failures.get('handshake timeout') ?? 0) + 1);
      ws.terminate();
    }, HANDSHAKE_TIMEOUT_MS);
    if (this.raw) {
      ws.on('open', () => {
        this.#clearTimer();
        this.state = 'ready';
        this.readyAt = Date.now();
        onReconciled(this);
      });
    }
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.#send({ type: 'error', code: 'FRAME_INVALID', message: 'binary frames are not part of the protocol' });
      this.#onFrame((data as Buffer).toString());
    });
    ws.on('error', (e) => {
      const kind = e.message.replace(/\d+\.\d+\.\d+\.\d+:\d+/, '').slice(0, 60);
      failures.set(kind, (failures.get(kind) ?? 0) + 1);
    });
    ws.on('close', (code) => this.#onClose(ws, code));
  }

  close(): void {
    this.state = 'closed';
    this.#clearTimer();
    this.ws?.terminate();
  }

  send(msg: Outgoing<AgentToServer>): void {
    this.#send(msg);
  }

  #send(msg: Outgoing<AgentToServer>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(encodeFrame(msg));
  }

  #onFrame(text: string): void {
    const r = parseFrame('server-to-agent', text);
    if (!r.ok) {
      stats.invalid++;
      return this.#send({ type: 'error', code: r.code, message: r.message, ...(r.ref ? { ref: r.ref } : {}) });
    }
    const msg = r.msg;
    samples[msg.type] = text;
    // A switch that carries its lease change (protocol 2): the baseline sends these same bytes.
    if (msg.type === 'method.switch' && msg.revoke?.length) samples['switch-revoke'] = text;
    if (msg.type === 'method.switch' && msg.grant?.length) samples['switch-grant'] = text;
    if (msg.type === 'challenge') {
      this.#send({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        deviceId: this.deviceId,
        agentVersion: 'bench',
        signature: signHello(this.key, msg.nonce, this.deviceId),
        leases: [...this.held.values()],
        inventoryHash: BENCH_INVENTORY_HASH,
      });
      return;
    }
    if (msg.type === 'welcome') {
      this.#clearTimer();
      this.state = 'ready';
      this.readyAt = Date.now();
      return;
    }
    if (this.state !== 'ready') return;
    this.#apply(msg);
  }

  #apply(msg: Exclude<ServerToAgent, { type: 'challenge' | 'welcome' }>): void {
    switch (msg.type) {
      case 'reconcile':
        for (const r of msg.revoke) if (this.held.get(r.productCode) === r.jti) this.held.delete(r.productCode);
        for (const t of msg.grant) this.#hold(t);
        this.#ack(msg.id);
        this.reconciles++;
        onReconciled(this);
        return;
      case 'lease.grant':
        this.#hold(msg.token);
        this.#ack(msg.id);
        onPush(this, msg.type, msg);
        return;
      case 'lease.revoke':
        if (this.held.get(msg.productCode) === msg.jti) this.held.delete(msg.productCode);
        this.#ack(msg.id);
        onPush(this, msg.type, msg);
        return;
      case 'method.switch':
        for (const r of msg.revoke ?? []) if (this.held.get(r.productCode) === r.jti) this.held.delete(r.productCode);
        for (const t of msg.grant ?? []) this.#hold(t);
        this.#ack(msg.id);
        onPush(this, msg.type, msg);
        if (msg.revoke?.length) onPush(this, 'lease.revoke', msg);
        if (msg.grant?.length) onPush(this, 'lease.grant', msg);
        return;
      case 'inventory.request':
        this.#send({ type: 'inventory', items: BENCH_INVENTORY, hash: BENCH_INVENTORY_HASH });
        this.#ack(msg.id);
        return;
      case 'error':
        stats.errors++;
        stats.lastError = `${msg.code}: ${msg.message}`;
        onError(this);
        return;
      default:
        return;
    }
  }

  #hold(token: string): void {
    const c = peekLeaseClaims(token);
    if (c) this.held.set(c.prod, c.jti);
  }

  #ack(id: string): void {
    this.#send({ type: 'ack', id });
  }

  #onClose(ws: WebSocket, code: number): void {
    if (ws !== this.ws) return;
    const wasReady = this.state === 'ready';
    this.#clearTimer();
    this.ws = null;
    openSockets.delete(this);
    if (this.state === 'closed') return;
    if (isFinalClose(code)) {
      stats.finalCloses++;
      this.state = 'closed';
      return;
    }
    if (wasReady && Date.now() - this.readyAt >= STABLE_AFTER_MS) this.backoff.reset();
    this.state = 'waiting';
    // Several servers: the next attempt goes to the next one (the one that dropped us may be gone).
    this.#at = (this.#at + 1) % this.urls.length;
    this.#setTimer(() => this.connect(), this.backoff.next());
  }

  #setTimer(fn: () => void, ms: number): void {
    this.#clearTimer();
    this.#timer = setTimeout(fn, ms);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** why connection attempts failed (socket errors, handshake timeouts), for the storm's report */
const failures = new Map<string, number>();
const stats = { attempts: 0, invalid: 0, errors: 0, finalCloses: 0, lastError: '' };
/** The last text received of each frame type: the raw baseline sends exactly these bytes. */
const samples: Record<string, string> = {};
let agents: SimAgent[] = [];
const openSockets = new Set<SimAgent>();

// ---- trackers the parent arms ----
let firstReconcile: ((a: SimAgent) => void) | null = null;
let storm: { pending: Set<SimAgent>; tLast: number; attempts0: number; done: () => void } | null = null;
let expect: { pending: Map<SimAgent, Set<PushType>>; tLast: number; done: () => void } | null = null;
let revokeEvents = false;
let leaseLoop: { until: number; grants: number; errors: number } | null = null;

function onReconciled(a: SimAgent): void {
  openSockets.add(a);
  firstReconcile?.(a);
  if (storm?.pending.delete(a)) {
    storm.tLast = monoMs();
    if (storm.pending.size === 0) storm.done();
  }
}

function onPush(a: SimAgent, type: PushType, msg: ServerToAgent): void {
  const t = monoMs();
  if (revokeEvents && type === 'lease.revoke' && msg.type === 'lease.revoke') emit('revoke', { i: a.i, t, jti: msg.jti, reason: msg.reason });
  if (expect) {
    const want = expect.pending.get(a);
    if (want?.delete(type) && want.size === 0) {
      expect.pending.delete(a);
      expect.tLast = t;
      if (expect.pending.size === 0) expect.done();
    }
  }
  if (leaseLoop && type === 'lease.grant') {
    if (Date.now() < leaseLoop.until) {
      leaseLoop.grants++;
      a.send({ type: 'lease.request', productCode: BENCH_PRODUCT });
    }
  }
}

function onError(_a: SimAgent): void {
  if (leaseLoop) leaseLoop.errors++;
}

function waitFor<T>(arm: (done: () => void) => void, result: () => T, timeoutMs: number): Promise<T & { timedOut: boolean }> {
  return new Promise((resolve) => {
    let settled = false;
    const t = setTimeout(() => finish(true), timeoutMs);
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(t);
      resolve({ ...result(), timedOut });
    };
    arm(() => finish(false));
  });
}

/** Connects the agents in `list`, at most `concurrency` handshakes at a time; resolves when each reconciled once. */
function connectAll(list: SimAgent[], concurrency: number, timeoutMs: number) {
  const t0 = monoMs();
  let next = 0;
  let done = 0;
  let tLast = t0;
  const inFlight = new Set<SimAgent>();
  return waitFor(
    (finish) => {
      const pump = () => {
        while (inFlight.size < concurrency && next < list.length) {
          const a = list[next++]!;
          inFlight.add(a);
          a.connect();
        }
        if (done === list.length) finish();
      };
      firstReconcile = (a) => {
        if (!inFlight.delete(a)) return;
        done++;
        tLast = monoMs();
        pump();
      };
      pump();
    },
    () => {
      firstReconcile = null;
      return { connected: done, wanted: list.length, t0, tLast };
    },
    timeoutMs,
  );
}

serve({
  /** Fresh agents for indices [from, to) against `url` (ws://…/agent, or the raw server), then `alsoUrls` in turn. */
  setup({ url, alsoUrls = [], from, to, raw }: { url: string; alsoUrls?: string[]; from: number; to: number; raw: boolean }) {
    for (const a of agents) a.close();
    agents = [];
    for (let i = from; i < to; i++) {
      agents.push(new SimAgent(i, [url, ...alsoUrls], raw));
      if (!raw) keyOf(i);
    }
    stats.attempts = stats.invalid = stats.errors = stats.finalCloses = 0;
  },
  connect({ upTo, concurrency, timeoutMs }: { upTo: number; concurrency: number; timeoutMs: number }) {
    return connectAll(agents.filter((a) => a.i < upTo && a.state === 'idle'), concurrency, timeoutMs);
  },
  async closeAll() {
    for (const a of agents) a.close();
    const deadline = Date.now() + 10_000;
    while (agents.some((a) => a.ws) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    agents = [];
    openSockets.clear();
  },
  status() {
    const ready = agents.filter((a) => a.state === 'ready').length;
    const holding = agents.filter((a) => a.held.has(BENCH_PRODUCT)).length;
    return { ready, holding, total: agents.length, ...stats, memory: process.memoryUsage() };
  },
  samples: () => samples,
  revokeEvents({ on }: { on: boolean }) {
    revokeEvents = on;
  },
  /** Arms an org-wide expectation: every ready agent must get these pushes. */
  armExpect({ methodSwitch, lease }: { methodSwitch: boolean; lease: 'lease.grant' | 'lease.revoke' | null }) {
    const pending = new Map<SimAgent, Set<PushType>>();
    for (const a of agents) {
      if (a.state !== 'ready') continue;
      const want = new Set<PushType>();
      if (methodSwitch) want.add('method.switch');
      if (lease) want.add(lease);
      if (want.size > 0) pending.set(a, want);
    }
    expect = { pending, tLast: 0, done: () => {} };
    return { armed: pending.size };
  },
  awaitExpect({ timeoutMs }: { timeoutMs: number }) {
    const e = expect!;
    return waitFor(
      (done) => {
        e.done = done;
        if (e.pending.size === 0) done();
      },
      () => {
        expect = null;
        return { tLast: e.tLast, missing: e.pending.size };
      },
      timeoutMs,
    );
  },
  /** Arms the reconnect-storm tracker: every agent ready now (connected to `url`, if given) must reconcile again. */
  armStorm({ url }: { url?: string } = {}) {
    failures.clear();
    // Given a server (a node about to be killed): only the agents connected to it now.
    storm = { pending: new Set(agents.filter((a) => a.state === 'ready' && (url === undefined || a.url === url))), tLast: 0, attempts0: stats.attempts, done: () => {} };
    return { armed: storm.pending.size };
  },
  awaitStorm({ timeoutMs }: { timeoutMs: number }) {
    const s = storm!;
    return waitFor(
      (done) => {
        s.done = done;
        if (s.pending.size === 0) done();
      },
      () => {
        storm = null;
        return { tLast: s.tLast, missing: s.pending.size, attempts: stats.attempts - s.attempts0, failures: Object.fromEntries(failures) };
      },
      timeoutMs,
    );
  },
  /** Every ready agent keeps one lease.request outstanding for `durationMs`; counts the grants. */
  async leaseLoop({ durationMs }: { durationMs: number }) {
    const loop = { until: Date.now() + durationMs, grants: 0, errors: 0 };
    leaseLoop = loop;
    const t0 = monoMs();
    for (const a of agents) if (a.state === 'ready') a.send({ type: 'lease.request', productCode: BENCH_PRODUCT });
    await new Promise((r) => setTimeout(r, durationMs));
    const elapsed = monoMs() - t0;
    // Let the last answers drain so the next phase starts quiet.
    await new Promise((r) => setTimeout(r, 500));
    leaseLoop = null;
    return { grants: loop.grants, errors: loop.errors, elapsedMs: elapsed };
  },
});

// One agent socket: its challenge, who it proved to be, its invalid-frame budget, and a queue so
// its frames are handled one after another (hello finishes before anything else is looked at).
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { PROTOCOL_VERSION, type Outgoing, type ServerToAgent } from '../../shared/protocol/index.js';
import { randomText } from '../core/ids.js';
import { EncodedFrame } from './protocol-compat.js';

export type ConnState = 'challenging' | 'authenticating' | 'ready' | 'closed';

/** A peer that lets this much pile up unread is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export class AgentConnection {
  readonly id: string;
  readonly nonce = randomText(32);
  readonly ws: WebSocket;
  /** the TCP socket under `ws` (the upgrade's): corked while a burst of frames is written */
  readonly #socket: Socket | null;
  readonly remote: string;
  #state: ConnState = 'challenging';
  /** called once, when the socket leaves the unauthenticated states (ready or closed) */
  onSettled: (() => void) | null = null;
  orgId: string | null = null;
  deviceId: string | null = null;
  /** the protocol the agent said in its hello: frames go out in the shape it understands */
  protocol: number = PROTOCOL_VERSION;
  /** a ping is out and its pong has not come back */
  awaitingPong = false;
  /** heartbeat intervals in a row that ended without a pong */
  missedPongs = 0;
  helloTimer: NodeJS.Timeout | null = null;
  readonly #badFrames: number[] = [];
  #frameWindow = { start: 0, count: 0 };
  #chain: Promise<void> = Promise.resolve();

  constructor(id: string, ws: WebSocket, remote: string, socket: Socket | null = null) {
    this.id = id;
    this.ws = ws;
    this.remote = remote;
    this.#socket = socket;
  }

  /** Runs `fn`, whose frames reach the socket in one write (one system call, not one per frame). */
  corked(fn: () => void): void {
    this.#socket?.cork();
    try {
      fn();
    } finally {
      this.#socket?.uncork();
    }
  }

  get state(): ConnState {
    return this.#state;
  }

  set state(next: ConnState) {
    const was = this.#state;
    this.#state = next;
    if ((was === 'challenging' || was === 'authenticating') && (next === 'ready' || next === 'closed')) {
      const settled = this.onSettled;
      this.onSettled = null;
      settled?.();
    }
  }

  /** Counts one frame of any kind; true when the peer is past its budget for the current window. */
  overFrameBudget(now: number, budget: { attempts: number; windowSeconds: number }): boolean {
    const w = this.#frameWindow;
    if (now - w.start >= budget.windowSeconds * 1000) {
      w.start = now;
      w.count = 0;
    }
    return ++w.count > budget.attempts;
  }

  get deviceKey(): string | null {
    return this.orgId && this.deviceId ? `${this.orgId}/${this.deviceId}` : null;
  }

  /** A getter, so checks after an await are not narrowed away by the compiler. */
  get closed(): boolean {
    return this.state === 'closed';
  }

  get open(): boolean {
    return this.state !== 'closed' && this.ws.readyState === this.ws.OPEN;
  }

  send(frame: Outgoing<ServerToAgent> | EncodedFrame): void {
    if (!this.open) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.terminate();
      return;
    }
    for (const text of (frame instanceof EncodedFrame ? frame : new EncodedFrame(frame)).textsFor(this.protocol)) this.ws.send(text);
  }

  sendError(code: string, message: string, ref?: string): void {
    this.send({ type: 'error', code, message: message.slice(0, 1000), ...(ref ? { ref } : {}) });
  }

  /** Counts an invalid frame; true when the peer is past its budget for the last minute. */
  badFrame(now: number, perMinute: number): boolean {
    this.#badFrames.push(now);
    while (this.#badFrames.length > 0 && now - this.#badFrames[0]! > 60_000) this.#badFrames.shift();
    return this.#badFrames.length > perMinute;
  }

  /** Runs `fn` after every frame handler queued before it; a failure goes to `onError`, not to the next. */
  enqueue(fn: () => Promise<void> | void, onError: (e: unknown) => void): Promise<void> {
    this.#chain = this.#chain.then(fn).catch(onError);
    return this.#chain;
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.#clearTimer();
    // Close frames carry at most 123 bytes of reason.
    this.ws.close(code, reason.slice(0, 120));
    // A peer that never answers the close handshake is cut off.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  terminate(): void {
    this.state = 'closed';
    this.#clearTimer();
    this.ws.terminate();
  }

  #clearTimer(): void {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
  }
}

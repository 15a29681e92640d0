// The agent's WebSocket to the server: answers the challenge with a signed hello, hands every
// later frame to the owner in order, acks pushes once they are applied, and reconnects with
// backoff until closed or told to stop (a final close code, or word that the device is revoked).
import type { KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import type { ErrorCode } from '../../shared/errors.js';
import { closeCodes, isFinalClose } from '../../shared/protocol/error.js';
import { signHello } from '../../shared/protocol/hello-signature.js';
import { switchParts } from '../../shared/protocol/method-switch.js';
import { encodeFrame, parseFrame, type AgentToServer, type Outgoing, type ServerToAgent } from '../../shared/protocol/messages.js';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import type { Welcome } from '../../shared/protocol/welcome.js';
import type { AgentLogger } from '../log.js';
import { Backoff } from './backoff.js';
import { realTimers, type Timers } from './timers.js';

export interface LinkOptions {
  /** ws(s)://host/agent */
  url: string;
  /**
   * Other nodes of the same cluster (ws(s) URLs): after a drop or a failed attempt the link tries
   * the next one, in turn, with the same backoff, so a node's death costs one reconnect.
   */
  alsoUrls?: string[];
  deviceId: string;
  deviceKey: KeyObject;
  agentVersion: string;
  /** what the agent holds, read fresh for every hello */
  describe: () => Promise<{ leases: string[]; inventoryHash: string | null }>;
  /**
   * Applies one frame that arrived after welcome; pushes are acked once it resolves. Resolving
   * 'no-ack' leaves a push unacked (for a connection that is not the one meant to handle it).
   */
  onMessage: (msg: Exclude<ServerToAgent, { type: 'challenge' | 'welcome' }>) => Promise<void | 'no-ack'>;
  onWelcome?: (msg: Welcome) => Promise<void> | void;
  onConnectedChange?: (connected: boolean, error: string | null) => void;
  /** the server closed with a final code; the link stops reconnecting */
  onFinalClose?: (code: number, reason: string) => void;
  /**
   * The server said the device is revoked (a DEVICE_REVOKED error frame or a 4003 close, before
   * or after welcome). Called once, in order after the frames before it; the link stops for good.
   */
  onDeviceRevoked?: () => Promise<void> | void;
  /** the server's heartbeat ping arrived */
  onHeartbeat?: () => void;
  logger: AgentLogger;
  /** reconnect after a drop (default true; `login`/`logout` use false) */
  reconnect?: boolean;
  backoff?: Backoff;
  timers?: Timers;
  /** ms to wait for challenge + welcome before giving up on a connection (default 10 s) */
  handshakeTimeoutMs?: number;
  /** a connection that stayed up this long resets the backoff (default 10 s) */
  stableAfterMs?: number;
  now?: () => number;
}

/** The error code a server sends a revoked device. */
const DEVICE_REVOKED: ErrorCode = 'DEVICE_REVOKED';

export type LinkState = 'idle' | 'connecting' | 'ready' | 'waiting' | 'closed';

export class AgentLink {
  #opts: LinkOptions;
  #backoff: Backoff;
  #timers: Timers;
  #now: () => number;
  #ws: WebSocket | null = null;
  #state: LinkState = 'idle';
  #readyAt = 0;
  #heartbeatMs = 0;
  #retryTimer: unknown = null;
  #handshakeTimer: unknown = null;
  #watchdog: unknown = null;
  #queue: Promise<void> = Promise.resolve();
  #closed: Promise<void> | null = null;
  #revoked = false;
  /** `url` then `alsoUrls`; #at is the one tried now */
  #urls: string[];
  #at = 0;

  constructor(opts: LinkOptions) {
    this.#urls = [...new Set([opts.url, ...(opts.alsoUrls ?? [])])];
    for (const u of this.#urls) if (!/^wss?:\/\//.test(u)) throw new TypeError(`AgentLink: url must be ws:// or wss://, got ${u}`);
    if (!opts.deviceId) throw new TypeError('AgentLink: deviceId is required');
    this.#opts = opts;
    this.#backoff = opts.backoff ?? new Backoff();
    this.#timers = opts.timers ?? realTimers;
    this.#now = opts.now ?? Date.now;
  }

  get ready(): boolean {
    return this.#state === 'ready';
  }

  /** 'closed' is for good: no retry is scheduled and none will be. */
  get state(): LinkState {
    return this.#state;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#connect();
  }

  /** Sends a frame if the link is ready; false when it is not (the caller retries later). */
  send(msg: Outgoing<AgentToServer>): boolean {
    const ws = this.#ws;
    if (this.#state !== 'ready' || !ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(encodeFrame(msg));
    return true;
  }

  /**
   * Closes the link and stops reconnecting. Safe to call twice; resolves when the socket is gone.
   * Frames already being applied finish first, so their acks go out (frames arriving now are not
   * applied: the state is no longer ready).
   */
  close(): Promise<void> {
    if (this.#closed) return this.#closed;
    this.#state = 'closed';
    this.#clearTimers();
    const ws = this.#ws;
    this.#closed = this.#queue.catch(() => {}).then(() => new Promise<void>((resolve) => {
      if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
      const done = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2000);
      ws.once('close', () => {
        clearTimeout(done);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'agent closing');
    }));
    return this.#closed;
  }

  #connect(): void {
    if (this.#state === 'closed') return;
    this.#state = 'connecting';
    const { logger } = this.#opts;
    const url = this.#urls[this.#at]!;
    logger.debug('link: connecting', { url });
    const ws = new WebSocket(url, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: this.#opts.handshakeTimeoutMs ?? 10_000 });
    this.#ws = ws;
    this.#handshakeTimer = this.#timers.setTimeout(() => {
      logger.warn('link: no welcome in time, dropping connection');
      ws.terminate();
    }, this.#opts.handshakeTimeoutMs ?? 10_000);

    ws.on('message', (data, isBinary) => {
      this.#kickWatchdog();
      if (isBinary) {
        this.#sendError('FRAME_INVALID', 'binary frames are not part of the protocol');
        return;
      }
      void this.#onFrame(ws, data.toString());
    });
    ws.on('ping', () => {
      this.#kickWatchdog();
      this.#opts.onHeartbeat?.();
    });
    ws.on('error', (err) => logger.debug('link: socket error', { error: err.message }));
    ws.on('close', (code, reasonBuf) => this.#onClose(ws, code, reasonBuf.toString()));
  }

  async #onFrame(ws: WebSocket, text: string): Promise<void> {
    // Closing: the socket stays open only until the frames being applied are acked.
    if (this.#state === 'closed') return;
    const { logger } = this.#opts;
    const parsed = parseFrame('server-to-agent', text);
    if (!parsed.ok) {
      logger.warn('link: invalid frame from server', { code: parsed.code, message: parsed.message });
      this.#sendError(parsed.code, parsed.message, parsed.ref, ws);
      return;
    }
    const msg = parsed.msg;
    // Before welcome too: a server that refuses the hello of a revoked device sends nothing else.
    if (msg.type === 'error' && msg.code === DEVICE_REVOKED) this.#deviceRevoked();
    if (msg.type === 'challenge') {
      try {
        const held = await this.#opts.describe();
        if (ws !== this.#ws || ws.readyState !== WebSocket.OPEN) return;
        ws.send(
          encodeFrame({
            type: 'hello',
            protocol: PROTOCOL_VERSION,
            deviceId: this.#opts.deviceId,
            agentVersion: this.#opts.agentVersion,
            signature: signHello(this.#opts.deviceKey, msg.nonce, this.#opts.deviceId),
            leases: held.leases.slice(0, 256),
            inventoryHash: held.inventoryHash,
          }),
        );
      } catch (e) {
        logger.error('link: could not answer challenge', { error: (e as Error).message });
        ws.terminate();
      }
      return;
    }
    if (msg.type === 'welcome') {
      this.#timers.clearTimeout(this.#handshakeTimer);
      this.#handshakeTimer = null;
      this.#state = 'ready';
      this.#readyAt = this.#now();
      this.#heartbeatMs = msg.settings.heartbeatSeconds * 1000;
      this.#kickWatchdog();
      logger.info('link: connected', { deviceId: msg.deviceId });
      this.#opts.onConnectedChange?.(true, null);
      this.#enqueue(async () => {
        await this.#opts.onWelcome?.(msg);
      });
      return;
    }
    if (this.#state !== 'ready') {
      if (msg.type === 'error') logger.warn('link: server refused', { code: msg.code, message: msg.message });
      else logger.warn('link: frame before welcome ignored', { type: msg.type });
      return;
    }
    this.#enqueue(async () => {
      // A method.switch carrying its lease changes (protocol 2) is applied as the frames it stands
      // for, in order; one ack covers it once every part is applied.
      let outcome: void | 'no-ack' = undefined;
      for (const part of msg.type === 'method.switch' ? switchParts(msg) : [msg]) {
        if ((await this.#opts.onMessage({ v: 1, ...part } as typeof msg)) === 'no-ack') outcome = 'no-ack';
      }
      // Ack only after applying: an unacked push is resent on reconnect, and applying twice is harmless.
      if (outcome !== 'no-ack' && msg.type !== 'error' && 'id' in msg && msg.id !== undefined && ws === this.#ws && ws.readyState === WebSocket.OPEN) {
        ws.send(encodeFrame({ type: 'ack', id: msg.id }));
      }
    });
  }

  /** Frames are applied one at a time, in arrival order. */
  #enqueue(job: () => Promise<void>): void {
    this.#queue = this.#queue.then(job).catch((e: unknown) => {
      this.#opts.logger.error('link: applying a frame failed; it stays unacked', { error: (e as Error).message });
    });
  }

  #deviceRevoked(): void {
    if (this.#revoked) return;
    this.#revoked = true;
    this.#opts.logger.error('link: the server says this device is revoked; not reconnecting');
    this.#enqueue(async () => {
      await this.#opts.onDeviceRevoked?.();
    });
  }

  #sendError(code: string, message: string, ref?: string, ws: WebSocket | null = this.#ws): void {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(encodeFrame({ type: 'error', code, message: message.slice(0, 1000), ...(ref ? { ref } : {}) }));
  }

  #kickWatchdog(): void {
    if (this.#state !== 'ready' || this.#heartbeatMs === 0) return;
    this.#timers.clearTimeout(this.#watchdog);
    const ws = this.#ws;
    // The server pings every heartbeat; silence for 2.5 intervals means a dead path (NAT drop, sleep).
    this.#watchdog = this.#timers.setTimeout(() => {
      this.#opts.logger.warn('link: server silent, reconnecting');
      ws?.terminate();
    }, this.#heartbeatMs * 2.5);
  }

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.#ws) return;
    const wasReady = this.#state === 'ready';
    this.#clearTimers();
    this.#ws = null;
    const { logger } = this.#opts;
    if (wasReady) this.#opts.onConnectedChange?.(false, `closed ${code}${reason ? `: ${reason}` : ''}`);
    if (code === closeCodes.DEVICE_REVOKED.code) this.#deviceRevoked();
    if (this.#state === 'closed') return;
    // Revoked stays revoked: reconnecting would only be refused again, forever.
    if (isFinalClose(code) || this.#revoked) {
      logger.error('link: server closed the connection for good', { code, reason });
      this.#state = 'closed';
      this.#opts.onFinalClose?.(code, reason);
      return;
    }
    if (this.#opts.reconnect === false) {
      this.#state = 'closed';
      this.#opts.onFinalClose?.(code, reason);
      return;
    }
    if (wasReady && this.#now() - this.#readyAt >= (this.#opts.stableAfterMs ?? 10_000)) this.#backoff.reset();
    if (!wasReady) this.#opts.onConnectedChange?.(false, `connection failed (${code})`);
    const delay = this.#backoff.next();
    // Several nodes: the next attempt goes to the next one (the node that dropped us may be gone).
    this.#at = (this.#at + 1) % this.#urls.length;
    logger.info('link: disconnected, retrying', { code, reason, delayMs: delay, next: this.#urls[this.#at] });
    this.#state = 'waiting';
    this.#retryTimer = this.#timers.setTimeout(() => this.#connect(), delay);
  }

  #clearTimers(): void {
    for (const t of [this.#retryTimer, this.#handshakeTimer, this.#watchdog]) if (t !== null) this.#timers.clearTimeout(t);
    this.#retryTimer = this.#handshakeTimer = this.#watchdog = null;
  }
}


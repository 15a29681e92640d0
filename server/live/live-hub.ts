// The admin live socket: admins of an organization subscribe on `/api/v1/live?orgId=…` with their
// session cookie and receive the organization's feed as it happens, plus a fresh seat summary
// whenever something may have changed it (coalesced, so a burst of events sends one summary).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { LIVE_CLOSE, type FeedItemView, type LiveMessage, type LiveSummaryView } from '../../shared/api/live.js';
import type { ErrorCode } from '../../shared/errors.js';
import type { EntitlementChange, FeedItem } from '../core/events.js';
import { resolveCaller } from '../http/caller.js';
import type { Services } from '../core/services.js';
import { liveSummary } from './seat-summary.js';

export interface LiveOptions {
  /** events within this window share one summary (default 50 ms) */
  coalesceMs?: number;
  /** feed items kept per organization for a newly connected dashboard (default 50) */
  feedBacklog?: number;
  /** how often summaries are recomputed and sent if they changed, for presence changes that raise no event (default 1000 ms) */
  refreshMs?: number;
  /** ping interval; a socket that missed a pong is dropped (default 30 s) */
  pingMs?: number;
}

const defaults: Required<LiveOptions> = { coalesceMs: 50, feedBacklog: 50, refreshMs: 1000, pingMs: 30_000 };
const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

interface Client {
  ws: WebSocket;
  orgId: string;
  accountId: string;
  credentialHash: string;
  alive: boolean;
}

interface Refusal {
  status: number;
  code: ErrorCode;
  message: string;
}

export class LiveHub {
  readonly #s: Services;
  readonly #o: Required<LiveOptions>;
  // The browser never sends anything but control frames, so a tiny payload limit is enough.
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 1024, clientTracking: false });
  readonly #clients = new Map<string, Set<Client>>();
  readonly #backlog = new Map<string, FeedItemView[]>();
  readonly #pending = new Map<string, NodeJS.Timeout>();
  readonly #lastSent = new Map<string, string>();
  readonly #refresh: NodeJS.Timeout;
  readonly #ping: NodeJS.Timeout;
  #closed = false;

  constructor(s: Services, opts: LiveOptions = {}) {
    this.#s = s;
    this.#o = { ...defaults, ...opts };
    for (const k of Object.keys(defaults) as Array<keyof LiveOptions>) {
      if (!(Number.isFinite(this.#o[k]) && this.#o[k] > 0)) throw new Error(`live.${k} must be a positive number`);
    }
    s.events.on('feed', this.#onFeed);
    s.events.on('entitlements', this.#onEntitlements);
    s.events.on('presence', this.#onEntitlements);
    this.#refresh = setInterval(() => {
      for (const orgId of this.#clients.keys()) {
        // A dashboard whose session ended (signed out, expired) is closed even when nothing is sent.
        for (const _ of this.#allowed(orgId));
        this.#sendSummary(orgId, true);
      }
    }, this.#o.refreshMs);
    this.#ping = setInterval(() => this.#pingAll(), this.#o.pingMs);
    this.#refresh.unref();
    this.#ping.unref();
  }

  /** Handles an HTTP upgrade on the live path: refuses with an HTTP error unless the caller is an admin of `?orgId`. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (this.#closed) return refuse(socket, { status: 503, code: 'STORAGE_UNAVAILABLE', message: 'The server is shutting down.' });
    const orgId = new URL(req.url ?? '/', 'http://localhost').searchParams.get('orgId') ?? '';
    const caller = resolveCaller(this.#s, req);
    if (!caller) return refuse(socket, { status: 401, code: 'UNAUTHENTICATED', message: 'Sign in first.' });
    if (!sameOrigin(req)) return refuse(socket, { status: 403, code: 'FORBIDDEN', message: 'Cross-origin live sockets are not allowed.' });
    const denied = this.#access(orgId, caller.account.id);
    if (denied) return refuse(socket, denied);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#attach({ ws, orgId, accountId: caller.account.id, credentialHash: caller.credentialHash, alive: true });
    });
  };

  /** Number of connected dashboards (all organizations). */
  get size(): number {
    let n = 0;
    for (const set of this.#clients.values()) n += set.size;
    return n;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#s.events.off('feed', this.#onFeed);
    this.#s.events.off('entitlements', this.#onEntitlements);
    this.#s.events.off('presence', this.#onEntitlements);
    clearInterval(this.#refresh);
    clearInterval(this.#ping);
    for (const t of this.#pending.values()) clearTimeout(t);
    this.#pending.clear();
    for (const set of this.#clients.values()) for (const c of set) c.ws.close(1001, 'server shutting down');
    this.#clients.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #access(orgId: string, accountId: string): Refusal | undefined {
    const doc = idPattern.test(orgId) ? this.#s.store.org(orgId) : undefined;
    const m = doc?.members[accountId];
    // Another organization answers exactly as one that does not exist.
    if (!doc || !m) return { status: 404, code: 'NOT_FOUND', message: 'No such organization.' };
    if (m.role !== 'owner' && m.role !== 'admin') return { status: 403, code: 'FORBIDDEN', message: 'Only administrators of this organization may watch it live.' };
    return undefined;
  }

  /** Whether the client's session still exists and its account is still an admin of the org. */
  #stillAllowed(c: Client): boolean {
    const g = this.#s.store.global();
    const session = g.sessions[c.credentialHash];
    const token = g.apiTokens[c.credentialHash];
    const valid = session ? session.accountId === c.accountId && session.expiresAt > this.#s.clock() : token?.accountId === c.accountId;
    return valid && g.accounts[c.accountId]?.status === 'active' && !this.#access(c.orgId, c.accountId);
  }

  #attach(c: Client): void {
    let set = this.#clients.get(c.orgId);
    if (!set) this.#clients.set(c.orgId, (set = new Set()));
    set.add(c);
    c.ws.on('pong', () => (c.alive = true));
    c.ws.on('error', () => c.ws.terminate());
    c.ws.on('close', () => {
      set.delete(c);
      if (set.size === 0 && this.#clients.get(c.orgId) === set) {
        this.#clients.delete(c.orgId);
        this.#lastSent.delete(c.orgId);
      }
    });
    // Anything the browser sends is ignored: the socket is one-way.
    const summary = this.#summary(c.orgId);
    if (!summary) return void c.ws.close(1011, 'summary unavailable');
    send(c, { type: 'snapshot', orgId: c.orgId, summary, feed: [...(this.#backlog.get(c.orgId) ?? [])] });
    // The first dashboard of an org has seen this summary; the refresh tick sends only changes.
    if (!this.#lastSent.has(c.orgId)) this.#lastSent.set(c.orgId, comparableKey(summary));
  }

  readonly #onFeed = (item: FeedItem): void => {
    const { orgId, ...rest } = item;
    const view: FeedItemView = rest;
    let log = this.#backlog.get(orgId);
    if (!log) this.#backlog.set(orgId, (log = []));
    log.push(view);
    if (log.length > this.#o.feedBacklog) log.splice(0, log.length - this.#o.feedBacklog);
    for (const c of this.#allowed(orgId)) send(c, { type: 'feed', item: view });
    this.#schedule(orgId);
  };

  /** Rights changed, or devices came or went (here or on another node): a fresh summary, coalesced. */
  readonly #onEntitlements = (change: Pick<EntitlementChange, 'orgId'>): void => this.#schedule(change.orgId);

  #schedule(orgId: string): void {
    if (this.#closed || !this.#clients.has(orgId) || this.#pending.has(orgId)) return;
    this.#pending.set(
      orgId,
      setTimeout(() => {
        this.#pending.delete(orgId);
        this.#sendSummary(orgId, false);
      }, this.#o.coalesceMs),
    );
  }

  #sendSummary(orgId: string, onlyIfChanged: boolean): void {
    const summary = this.#summary(orgId);
    if (!summary) return;
    const key = comparableKey(summary);
    if (onlyIfChanged && this.#lastSent.get(orgId) === key) return;
    this.#lastSent.set(orgId, key);
    for (const c of this.#allowed(orgId)) send(c, { type: 'summary', summary });
  }

  #summary(orgId: string): LiveSummaryView | undefined {
    const doc = this.#s.store.org(orgId);
    if (!doc) return undefined;
    const p = this.#s.gateway.presence;
    try {
      return liveSummary(doc, { inUseByLine: p.inUseByLine(orgId), onlineDevices: p.onlineDevices(orgId) }, this.#s.clock());
    } catch (err) {
      // Called from timers and socket callbacks: a failure must not take the server down; the next tick retries.
      this.#s.log.warn('live summary failed', { orgId, error: (err as Error).message });
      return undefined;
    }
  }

  /** The org's clients that may still watch; the others are closed. */
  *#allowed(orgId: string): Generator<Client> {
    for (const c of [...(this.#clients.get(orgId) ?? [])]) {
      if (this.#stillAllowed(c)) yield c;
      else c.ws.close(LIVE_CLOSE.ACCESS_ENDED, 'access ended');
    }
  }

  #pingAll(): void {
    for (const set of this.#clients.values()) {
      for (const c of set) {
        if (!c.alive) {
          c.ws.terminate();
          continue;
        }
        c.alive = false;
        c.ws.ping();
      }
    }
  }
}

/** A summary without its timestamp, to tell whether anything changed. */
function comparableKey(summary: LiveSummaryView): string {
  const { at: _at, ...rest } = summary;
  return JSON.stringify(rest);
}

function send(c: Client, msg: LiveMessage): void {
  if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(msg));
}

/** A browser always sends Origin on a WebSocket handshake; it must name the host it connects to. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser (scripts, tests); the credential still has to be valid
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function refuse(socket: Duplex, r: Refusal): void {
  const body = JSON.stringify({ error: { code: r.code, message: r.message } });
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[r.status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${r.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

// The agent WebSocket (`/agent`): challenge, signed hello, welcome and reconcile, then the agent's
// requests and the server's pushes. Nothing an unauthenticated socket sends reaches the domain.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { SeatkeeperError } from '../../shared/errors.js';
import {
  closeCodes,
  MAX_FRAME_BYTES,
  OLDEST_PROTOCOL_VERSION,
  parseFrame,
  PROTOCOL_VERSION,
  type AgentToServer,
  type Hello,
  type ParseResult,
  type Revocation,
} from '../../shared/protocol/index.js';
import { helloSigningInput } from '../../shared/protocol/hello.js';
import type { CoreServices } from '../core/services.js';
import { agentSettings } from '../domain/agent-settings.js';
import { inventory, leaseRequest, loginStart, logout } from './agent-requests.js';
import { usageReport } from './usage-report.js';
import { AgentConnection } from './connection.js';
import { CryptoPool } from './crypto-pool.js';
import { prepareTokens } from './lease-signer.js';
import { sendLeaseKeys } from './lease-key-watch.js';
import { HelloGate } from './hello-gate.js';
import { exemptConnection } from '../core/connection-guard.js';
import { DeviceCodeBook } from './device-codes.js';
import { IndexCache } from './index-cache.js';
import type { ServerLeaseKey } from './lease-key.js';
import { needsSync, reconcileBody, revocationOf, syncOn, type DeviceChange } from './lease-sync.js';
import { LivePresence } from './live-presence.js';
import { newJti, type GatewayCore } from './operations.js';
import { deviceKeyOf, Pusher } from './pusher.js';
import { Slicer } from '../core/slicer.js';

export interface GatewayOptions {
  heartbeatMs: number;
  helloTimeoutMs: number;
  maxBadFramesPerMinute: number;
  resendAfterMs: number;
  maxDeviceCodeFailures: number;
  deviceCodeTtlSeconds: number;
}

/** A device back within this long, with nothing to sync, is not written to the store on connect. */
const QUIET_RECONNECT_MS = 60 * 60 * 1000;

export class AgentGateway implements GatewayCore {
  readonly s: CoreServices;
  readonly key: ServerLeaseKey;
  readonly presence: LivePresence;
  readonly codes: DeviceCodeBook;
  readonly pusher: Pusher;
  readonly indexes: IndexCache;
  readonly crypto: CryptoPool;
  readonly #opts: GatewayOptions;
  readonly #wss: WebSocketServer;
  readonly #conns = new Set<AgentConnection>();
  readonly #deviceOrg = new Map<string, string>();
  readonly #timer: NodeJS.Timeout;
  #closing: Promise<void> | undefined;
  #seq = 0;
  #helloGate: HelloGate;
  /** a heartbeat pass is running (a slow one is not started again on top of itself) */
  #ticking = false;

  constructor(s: CoreServices, key: ServerLeaseKey, opts: GatewayOptions) {
    this.s = s;
    this.key = key;
    this.#opts = opts;
    this.#helloGate = new HelloGate(s.config.limits, s.config.trustedProxies);
    this.indexes = new IndexCache(s.store, s.clock);
    this.presence = new LivePresence(s.clock, (orgId) => this.indexes.get(orgId));
    this.codes = new DeviceCodeBook({
      clock: s.clock,
      maxFailures: opts.maxDeviceCodeFailures,
      ttlSeconds: opts.deviceCodeTtlSeconds,
      maxPendingPerOrg: s.config.limits.deviceCodesPendingPerOrg,
      // Several nodes: a code shown by a workstation here may be typed on any node.
      ...(s.store.deviceCodes ? { shared: s.store.deviceCodes } : {}),
      // The agent that asked waits for an answer: tell it, rather than let it time out.
      onExpire: (code) => {
        for (const c of this.pusher.ready(code.orgId, code.deviceId)) if (c.id === code.connId) c.send({ type: 'login.failed', reason: 'expired' });
      },
    });
    this.pusher = new Pusher(s, () => this.key.privateKey);
    // The metrics hear of pushes and acks through the events, as every observer does.
    this.pusher.outbox.observer = {
      sent: (kind) => s.events.emit('push', { phase: 'sent', kind }),
      acked: (kind, seconds) => s.events.emit('push', { phase: 'acked', kind, seconds }),
    };
    this.crypto = new CryptoPool(key.privateKey);
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
    this.#timer = setInterval(() => void this.#tick().catch((e: Error) => this.s.log.error('agent heartbeat failed', { error: e.message })), opts.heartbeatMs);
    this.#timer.unref();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    if (!this.#helloGate.admit(this.#helloGate.clientOf(req), socket)) return;
    // The 101 response and the challenge leave in one write (ws answers the upgrade synchronously).
    socket.cork();
    try {
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, req));
    } finally {
      socket.uncork();
    }
  }

  /** Idempotent: tells every agent the server is going away and stops. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      this.codes.close();
      for (const c of this.#conns) c.close(closeCodes.GOING_AWAY.code, 'server shutting down');
      const deadline = Date.now() + 1500;
      while (this.#conns.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const c of this.#conns) c.terminate();
      await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
      await this.crypto.close();
    })();
    return this.#closing;
  }

  #onConnection(ws: WebSocket, req: IncomingMessage): void {
    const conn = new AgentConnection(`con${++this.#seq}`, ws, this.#helloGate.clientOf(req), req.socket);
    conn.onSettled = this.#helloGate.hold(conn.remote, () => conn.state === 'ready' && exemptConnection(req.socket));
    this.#conns.add(conn);
    ws.on('message', (data, isBinary) => this.#onMessage(conn, data, isBinary));
    ws.on('pong', () => {
      conn.missedPongs = 0;
      conn.awaitingPong = false;
      if (conn.orgId && conn.deviceId) this.presence.seen(conn.orgId, conn.deviceId);
    });
    ws.on('close', () => this.#onClose(conn));
    ws.on('error', (e) => this.s.log.debug('agent socket error', { conn: conn.id, error: e.message }));
    conn.helloTimer = setTimeout(() => {
      if (conn.state !== 'challenging' && conn.state !== 'authenticating') return;
      conn.sendError('UNAUTHENTICATED', 'No valid hello in time.');
      conn.close(closeCodes.AUTH_FAILED.code, 'hello timeout');
    }, this.#opts.helloTimeoutMs);
    conn.send({ type: 'challenge', nonce: conn.nonce });
  }

  #onMessage(conn: AgentConnection, data: RawData, isBinary: boolean): void {
    if (conn.state === 'closed') return;
    // Valid frames cost work too (a lease request signs a token): a peer past its budget is cut off.
    if (conn.overFrameBudget(this.s.clock(), this.s.config.limits.agentFrames)) {
      this.s.log.warn('agent socket closed: too many frames', { remote: conn.remote, deviceId: conn.deviceId });
      conn.sendError('RATE_LIMITED', 'Too many frames on this connection; reconnect later.');
      if (conn.deviceId) this.#helloGate.coolDown(conn.deviceId, this.s.clock() + this.s.config.limits.agentFrames.windowSeconds * 1000);
      return conn.close(closeCodes.POLICY_VIOLATION.code, 'too many frames');
    }
    if (conn.orgId && conn.deviceId) this.presence.seen(conn.orgId, conn.deviceId);
    const r: ParseResult<AgentToServer> = isBinary
      ? { ok: false, code: 'FRAME_INVALID', message: 'binary frames are not accepted' }
      : parseFrame('agent-to-server', rawText(data));
    if (!r.ok) return this.#bad(conn, r.code, r.message, r.ref);
    const msg = r.msg;
    if (conn.state === 'challenging') {
      if (msg.type !== 'hello') return this.#bad(conn, 'UNAUTHENTICATED', 'Answer the challenge with hello first.', msg.id);
      conn.state = 'authenticating';
      void conn.enqueue(() => this.#hello(conn, msg), (e) => this.#failed(conn, e, msg.id));
      return;
    }
    if (msg.type === 'hello') return this.#bad(conn, 'FRAME_INVALID', 'hello was already said on this connection.', msg.id);
    if (msg.type === 'ack') {
      if (conn.deviceKey) this.pusher.outbox.ack(conn.deviceKey, msg.id);
      return;
    }
    if (msg.type === 'error') {
      this.s.log.debug('agent reported an error', { conn: conn.id, code: msg.code, ref: msg.ref });
      return;
    }
    void conn.enqueue(() => this.#handle(conn, msg), (e) => this.#failed(conn, e, msg.id));
  }

  #bad(conn: AgentConnection, code: string, message: string, ref?: string): void {
    conn.sendError(code, message, ref);
    if (conn.badFrame(this.s.clock(), this.#opts.maxBadFramesPerMinute)) {
      this.s.log.warn('agent socket closed: too many invalid frames', { remote: conn.remote, deviceId: conn.deviceId });
      conn.close(closeCodes.POLICY_VIOLATION.code, 'too many invalid frames');
    }
  }

  #failed(conn: AgentConnection, e: unknown, ref?: string): void {
    if (e instanceof SeatkeeperError) {
      conn.sendError(e.code, e.message, ref);
      if (e.code === 'DEVICE_REVOKED') conn.close(closeCodes.DEVICE_REVOKED.code, 'device revoked');
      else if (conn.state === 'authenticating') conn.close(closeCodes.INTERNAL_ERROR.code, 'hello failed');
      return;
    }
    this.s.log.error('agent frame failed', { conn: conn.id, remote: conn.remote, error: (e as Error).message, stack: (e as Error).stack });
    conn.sendError('INTERNAL', 'The server could not handle that frame.', ref);
    if (conn.state === 'authenticating') conn.close(closeCodes.INTERNAL_ERROR.code, 'internal error');
  }

  #orgOfDevice(deviceId: string): string | undefined {
    const cached = this.#deviceOrg.get(deviceId);
    if (cached && this.s.store.org(cached)?.devices[deviceId]) return cached;
    for (const orgId of this.s.store.orgIds()) {
      if (this.s.store.org(orgId)!.devices[deviceId]) {
        this.#deviceOrg.set(deviceId, orgId);
        return orgId;
      }
    }
    return undefined;
  }

  async #hello(conn: AgentConnection, hello: Hello): Promise<void> {
    if (conn.state === 'closed') return;
    const wait = this.#helloGate.cooling(hello.deviceId, this.s.clock());
    if (wait > 0) {
      conn.sendError('RATE_LIMITED', `Too many frames from this device; reconnect in ${wait} s.`, hello.id);
      return conn.close(closeCodes.POLICY_VIOLATION.code, 'cooling down');
    }
    if (hello.protocol < OLDEST_PROTOCOL_VERSION || hello.protocol > PROTOCOL_VERSION) {
      const which = hello.protocol > PROTOCOL_VERSION ? 'update the server or use an older agent' : 'update the agent';
      conn.sendError('PROTOCOL_UNSUPPORTED', `This server speaks protocols ${OLDEST_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}, not ${hello.protocol}; ${which}.`, hello.id);
      conn.close(closeCodes.PROTOCOL_UNSUPPORTED.code, 'protocol unsupported');
      return;
    }
    conn.protocol = hello.protocol;
    const orgId = this.#orgOfDevice(hello.deviceId);
    // A removed (archived) organization's workstations are unknown devices from then on.
    const device = orgId && !this.s.store.org(orgId)!.org.removedAt ? this.s.store.org(orgId)!.devices[hello.deviceId] : undefined;
    // Checked in the crypto pool: a fleet reconnecting at once costs the event loop nothing for it.
    const valid = !!device && (await this.crypto.verify(device.publicKey, helloSigningInput(conn.nonce, hello.deviceId), hello.signature));
    if (conn.closed) return;
    // Checked again after the await: the operator may have removed the organization meanwhile.
    if (!orgId || !device || !valid || this.s.store.org(orgId)?.org.removedAt) {
      this.s.log.warn('agent hello refused', { remote: conn.remote, deviceId: hello.deviceId, known: !!device });
      conn.sendError('UNAUTHENTICATED', 'Unknown device or a signature that does not verify. Enroll the workstation again if this persists.', hello.id);
      conn.close(closeCodes.AUTH_FAILED.code, 'authentication failed');
      return;
    }
    // Only after the signature: a stranger cannot learn which device ids exist or are revoked.
    if (device.revokedAt) return this.#refuseRevoked(conn, orgId, device.id, hello);
    if (conn.helloTimer) clearTimeout(conn.helloTimer);
    conn.orgId = orgId;
    conn.deviceId = device.id;
    this.pusher.attach(conn);
    this.presence.connected(orgId, device.id);
    const now = this.s.clock();
    const before = this.s.store.org(orgId)!;
    // Leases past half-life are renewed on connect, so an agent that was away comes back with fresh ones.
    const renewBefore = now + (before.org.settings.leaseTtlSeconds * 1000) / 2;
    // A reconnect that changes nothing writes nothing: 20k agents coming back after a restart
    // would otherwise spend the server on a durable write each for lastSeenAt (presence is live
    // in memory; a disconnect records lastSeenAt).
    const unchanged =
      device.agentVersion === hello.agentVersion &&
      device.lastSeenAt !== null &&
      now - device.lastSeenAt < QUIET_RECONNECT_MS &&
      !needsSync(before, [device.id], now, { renewBefore }, this.indexes.get(orgId)!);
    const held = new Set(hello.leases);
    // The tokens the reconcile will carry are signed in the crypto pool, while the change commits.
    const sign = () => {
      const idx = this.indexes.get(orgId);
      return idx ? prepareTokens(this.crypto, this.key.privateKey, orgId, idx.liveLeasesOf(device.id, now).filter((l) => !held.has(l.jti))) : Promise.resolve();
    };
    let signed: Promise<void> | null = null;
    const changes = unchanged
      ? []
      : await this.s.store.tx((t) => {
          const doc = t.org(orgId)!;
          const d = doc.devices[device.id];
          if (!d || d.revokedAt) throw new SeatkeeperError('DEVICE_REVOKED', 'An administrator revoked this workstation.');
          d.lastSeenAt = now;
          d.agentVersion = hello.agentVersion;
          const made = syncOn(doc, [d.id], now, { renewBefore }, newJti(this.s), this.indexes.get(orgId)!);
          signed = sign();
          return made;
        });
    await (signed ?? sign());
    if (conn.closed) return;
    const doc = this.s.store.org(orgId);
    if (!doc) return conn.close(closeCodes.INTERNAL_ERROR.code, 'organization gone');
    if (doc.org.removedAt) return conn.close(closeCodes.ORG_REMOVED.code, 'organization removed');
    // Welcome, lease keys, reconcile and whatever else is due leave in one write to the socket.
    conn.corked(() => this.#welcome(conn, orgId, device.id, now, held, changes, hello.inventoryHash));
  }

  /** What a device that proved itself is sent: welcome, lease keys, its reconcile, pushes still due. */
  #welcome(conn: AgentConnection, orgId: string, deviceId: string, now: number, held: Set<string>, changes: DeviceChange[], inventoryHash: string | null): void {
    const doc = this.s.store.org(orgId)!;
    const key = deviceKeyOf(orgId, deviceId);
    conn.send({ type: 'welcome', serverTime: now, deviceId, settings: agentSettings(this.s.config.heartbeatSeconds, doc.org.settings.leaseTtlSeconds) });
    sendLeaseKeys(this, conn);
    conn.state = 'ready';
    const revoked = changes.flatMap((c) => c.revoked.map((r) => ({ jti: r.lease.jti, productCode: r.lease.productCode, reason: r.reason })));
    const survivors = this.pusher.outbox.afterReconnect(key);
    let sends = 0;
    this.pusher.push(
      orgId,
      deviceId,
      'reconcile',
      (id) => {
        const d = this.s.store.org(orgId);
        if (!d) return null;
        // The first send knows what the agent holds; a resend does not, so it grants everything live.
        const knownHeld = sends++ === 0 ? held : null;
        const body = reconcileBody(d, this.s.store.global().accounts, this.key.privateKey, deviceId, this.s.clock(), knownHeld, revoked, this.indexes.get(orgId));
        return { type: 'reconcile', id, ...body };
      },
      { only: conn },
    );
    // Pushes that outlive a connection (method switches, rescans) go again; the reconcile covered the rest.
    for (const e of survivors) {
      const f = e.rebuild();
      if (f) conn.send(f);
      else this.pusher.outbox.drop(key, e.id);
    }
    // Another socket of the device (the daemon beside a `login`) hears about the changes too.
    this.pusher.changes(orgId, changes, conn);
    // A null hash is a short-lived `login`/`logout` connection (the daemon sends its inventory itself).
    if (inventoryHash !== null && inventoryHash !== doc.devices[deviceId]!.inventoryHash) {
      this.pusher.push(orgId, deviceId, 'inventory.request', (id) => ({ type: 'inventory.request', id }), { only: conn });
    }
  }

  /**
   * A revoked device coming back still holds leases that are signed and unexpired, which `check`
   * would honour for days. It is told what an online device is told at revocation — its leases'
   * revocations, DEVICE_REVOKED, close 4003 — in the frames every agent version applies: welcome,
   * then a reconcile that only revokes. It never becomes ready, present or a push target.
   */
  #refuseRevoked(conn: AgentConnection, orgId: string, deviceId: string, hello: Hello): void {
    const doc = this.s.store.org(orgId)!;
    const now = this.s.clock();
    const revoke: Revocation[] = [];
    for (const jti of new Set(hello.leases)) {
      const l = doc.leases[jti];
      if (!l || l.deviceId !== deviceId) continue;
      revoke.push(revocationOf(l, l.status === 'revoked' && l.revokeReason ? l.revokeReason : 'device-revoked'));
    }
    conn.send({ type: 'welcome', serverTime: now, deviceId, settings: agentSettings(this.s.config.heartbeatSeconds, doc.org.settings.leaseTtlSeconds) });
    conn.send({ type: 'reconcile', id: this.s.ids('psh'), grant: [], revoke, signedInAccount: null });
    conn.sendError('DEVICE_REVOKED', 'An administrator revoked this workstation. Enroll it again to use it.', hello.id);
    conn.close(closeCodes.DEVICE_REVOKED.code, 'device revoked');
  }

  async #handle(conn: AgentConnection, msg: AgentToServer): Promise<void> {
    if (conn.state !== 'ready') return;
    switch (msg.type) {
      case 'login.start':
        return loginStart(this, conn, msg);
      case 'logout':
        return logout(this, conn);
      case 'lease.request':
        return leaseRequest(this, conn, msg);
      case 'inventory':
        return inventory(this, conn, msg);
      case 'usage.report':
        return usageReport(this, conn, msg);
      default:
        return;
    }
  }

  #onClose(conn: AgentConnection): void {
    conn.state = 'closed';
    this.#conns.delete(conn);
    if (conn.helloTimer) clearTimeout(conn.helloTimer);
    if (!conn.orgId || !conn.deviceId) return;
    const { orgId, deviceId } = conn;
    this.pusher.detach(conn);
    const left = this.presence.disconnected(orgId, deviceId);
    if (left > 0 || this.#closing) return;
    const now = this.s.clock();
    this.s.store
      .tx((t) => {
        const doc = t.org(orgId);
        const d = doc?.org.removedAt ? undefined : doc?.devices[deviceId];
        if (d) d.lastSeenAt = now;
      })
      .catch((e: Error) => this.s.log.debug('could not record last seen', { deviceId, error: e.message }));
  }

  /**
   * Pings every socket and sends unacked pushes again. In slices that let the event loop turn: a
   * ping is a write to the socket, and 20k of them at once would freeze the server for a while.
   */
  async #tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const slicer = new Slicer();
      for (const c of [...this.#conns]) {
        if (c.state === 'closed') continue;
        // Two intervals without a pong: the device is gone (a half-open TCP connection says nothing).
        if (c.awaitingPong && ++c.missedPongs >= 2) {
          c.terminate();
          continue;
        }
        c.awaitingPong = true;
        try {
          c.ws.ping();
        } catch {
          c.terminate();
        }
        await slicer.turn();
      }
      await this.pusher.resendDue(this.#opts.resendAfterMs, slicer);
    } finally {
      this.#ticking = false;
    }
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}


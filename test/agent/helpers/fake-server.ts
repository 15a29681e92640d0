// A tiny stand-in for the Seatkeeper server, speaking the shared protocol: the enrollment
// endpoint and the agent socket, on 127.0.0.1 port 0. Tests script what it pushes.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { AGENT_ENROLL_PATH, AgentEnrollBody, type AgentEnrollReply } from '../../../shared/api/agent-enroll.js';
import { exportLeasePublicJwk, signLease, type LeaseClaimsInput, type LeaseKeyPair } from '../../../shared/lease.js';
import { verifyHelloSignature } from '../../../shared/protocol/hello-signature.js';
import type { Hello } from '../../../shared/protocol/hello.js';
import { encodeFrame, parseFrame, type AgentToServer, type Outgoing, type ServerToAgent } from '../../../shared/protocol/messages.js';
import type { AgentSettings } from '../../../shared/protocol/welcome.js';
import { MAX_FRAME_BYTES } from '../../../shared/protocol/version.js';

export const TEST_SETTINGS: AgentSettings = { heartbeatSeconds: 30, leaseTtlSeconds: 3600, inventoryCron: '*/30 * * * *' };

export class FakeConnection {
  readonly ws: WebSocket;
  hello: Hello | null = null;
  helloValid = false;
  readonly received: AgentToServer[] = [];
  readonly invalid: string[] = [];
  #waiters: Array<{ pred: (m: AgentToServer) => boolean; resolve: (m: AgentToServer) => void }> = [];
  closed: Promise<{ code: number }>;

  constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve({ code })));
  }

  get deviceId(): string | null {
    return this.hello?.deviceId ?? null;
  }

  send(msg: Outgoing<ServerToAgent>): void {
    this.ws.send(encodeFrame(msg));
  }

  /** Resolves with the first frame (already received or later) matching. */
  waitFor<T extends AgentToServer['type']>(type: T, pred: (m: Extract<AgentToServer, { type: T }>) => boolean = () => true, timeoutMs = 5000) {
    const match = (m: AgentToServer): m is Extract<AgentToServer, { type: T }> => m.type === type && pred(m as Extract<AgentToServer, { type: T }>);
    const found = this.received.find(match);
    if (found) return Promise.resolve(found as Extract<AgentToServer, { type: T }>);
    return new Promise<Extract<AgentToServer, { type: T }>>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${type}`)), timeoutMs);
      this.#waiters.push({
        pred: match,
        resolve: (m) => {
          clearTimeout(t);
          resolve(m as Extract<AgentToServer, { type: T }>);
        },
      });
    });
  }

  _receive(m: AgentToServer): void {
    this.received.push(m);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.pred(m)) return true;
      w.resolve(m);
      return false;
    });
  }
}

export interface FakeServerOptions {
  leaseKey: LeaseKeyPair;
  settings?: AgentSettings;
  enrollToken?: string;
  /** what to send right after welcome (default: an empty reconcile) */
  reconcileFor?: (deviceId: string, hello: Hello) => Promise<Outgoing<ServerToAgent> | null> | Outgoing<ServerToAgent> | null;
  /** refuse a valid hello instead of welcoming it: optionally an error frame, then this close code */
  refuse?: (hello: Hello) => { error?: string; close: number } | null;
}

export class FakeServer {
  readonly orgId = 'org_test';
  readonly devices = new Map<string, { publicKeyX: string; machineId: string; hostname: string }>();
  readonly connections: FakeConnection[] = [];
  /** connections whose valid hello was refused (options.refuse) */
  readonly refused: FakeConnection[] = [];
  readonly enrollBodies: unknown[] = [];
  #http: Server;
  #wss: WebSocketServer;
  #opts: FakeServerOptions;
  #connWaiters: Array<(c: FakeConnection) => void> = [];
  url = '';

  constructor(opts: FakeServerOptions) {
    this.#opts = opts;
    this.#http = createServer((req, res) => void this.#onHttp(req, res));
    this.#wss = new WebSocketServer({ server: this.#http, path: '/agent', maxPayload: MAX_FRAME_BYTES });
    this.#wss.on('connection', (ws) => this.#onConnection(ws));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#http.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#http.address() as AddressInfo).port}`;
    return this;
  }

  registerDevice(deviceId: string, publicKeyX: string): void {
    this.devices.set(deviceId, { publicKeyX, machineId: 'f'.repeat(64), hostname: 'test' });
  }

  async lease(claims: Partial<LeaseClaimsInput> & { dev: string; prod: string }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return signLease(this.#opts.leaseKey.privateKey, {
      sub: 'acc_alice',
      org: this.orgId,
      meth: 'named-user',
      seat: 'line_1',
      iat: now,
      exp: now + (this.#opts.settings ?? TEST_SETTINGS).leaseTtlSeconds,
      jti: `lease_${randomUUID()}`,
      ...claims,
    });
  }

  /** The next connection that completes hello (or one already there that is not yet taken). */
  nextConnection(timeoutMs = 10_000): Promise<FakeConnection> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no agent connected')), timeoutMs);
      this.#connWaiters.push((c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
  }

  /** Drops every agent connection (a server restart, as the agent sees it). */
  dropAll(code = 1001): void {
    for (const c of this.connections) if (c.ws.readyState === c.ws.OPEN) c.ws.close(code, 'test drop');
  }

  async close(): Promise<void> {
    for (const c of this.#wss.clients) c.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  async #onHttp(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== AGENT_ENROLL_PATH) return send(404, { error: { code: 'ROUTE_NOT_FOUND', message: 'no route' } });
    let text = '';
    for await (const chunk of req) text += chunk;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return send(400, { error: { code: 'INVALID_JSON', message: 'bad json' } });
    }
    this.enrollBodies.push(json);
    const body = AgentEnrollBody.safeParse(json);
    if (!body.success) return send(400, { error: { code: 'VALIDATION_FAILED', message: body.error.issues[0]?.message ?? '' } });
    if (body.data.token !== (this.#opts.enrollToken ?? 'enroll-token-good')) {
      return send(401, { error: { code: 'ENROLLMENT_TOKEN_INVALID', message: 'unknown or expired enrollment token' } });
    }
    const deviceId = `dev_${randomBytes(6).toString('hex')}`;
    this.devices.set(deviceId, { publicKeyX: body.data.publicKey, machineId: body.data.machineId, hostname: body.data.hostname });
    const reply: AgentEnrollReply = {
      deviceId,
      orgId: this.orgId,
      orgName: 'Acme Engineering',
      leasePublicKeyJwk: await exportLeasePublicJwk(this.#opts.leaseKey.publicKey),
      agentSocketUrl: `${this.url.replace('http', 'ws')}/agent`,
      settings: this.#opts.settings ?? TEST_SETTINGS,
    };
    send(200, reply);
  }

  #onConnection(ws: WebSocket): void {
    const conn = new FakeConnection(ws);
    const nonce = randomBytes(24).toString('base64url');
    ws.send(encodeFrame({ type: 'challenge', nonce }));
    ws.on('message', async (data) => {
      const parsed = parseFrame('agent-to-server', data.toString());
      if (!parsed.ok) {
        conn.invalid.push(parsed.code);
        ws.send(encodeFrame({ type: 'error', code: parsed.code, message: parsed.message, ...(parsed.ref ? { ref: parsed.ref } : {}) }));
        return;
      }
      const msg = parsed.msg;
      if (msg.type === 'hello' && !conn.hello) {
        conn.hello = msg;
        const device = this.devices.get(msg.deviceId);
        conn.helloValid = !!device && verifyHelloSignature(device.publicKeyX, nonce, msg.deviceId, msg.signature);
        if (!conn.helloValid) {
          ws.close(4001, 'hello signature invalid');
          return;
        }
        const refusal = this.#opts.refuse?.(msg);
        if (refusal) {
          this.refused.push(conn);
          if (refusal.error) conn.send({ type: 'error', code: refusal.error, message: 'refused by the test', ...(msg.id ? { ref: msg.id } : {}) });
          ws.close(refusal.close, 'refused');
          return;
        }
        this.connections.push(conn);
        conn.send({ type: 'welcome', serverTime: Date.now(), deviceId: msg.deviceId, settings: this.#opts.settings ?? TEST_SETTINGS });
        const rec = this.#opts.reconcileFor
          ? await this.#opts.reconcileFor(msg.deviceId, msg)
          : { type: 'reconcile' as const, id: `rec_${randomUUID()}`, grant: [], revoke: [], signedInAccount: null };
        if (rec) conn.send(rec);
        conn._receive(msg);
        const waiter = this.#connWaiters.shift();
        waiter?.(conn);
        return;
      }
      conn._receive(msg);
    });
  }
}

export async function startFakeServer(opts: FakeServerOptions): Promise<FakeServer> {
  return new FakeServer(opts).listen();
}

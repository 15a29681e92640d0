// A hand-driven agent for gateway tests: a real WebSocket that sends exactly what the test says
// (valid frames, garbage, replays) and records every frame the server sends.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { AGENT_ENROLL_PATH, type AgentEnrollReply } from '../../shared/api/agent-enroll.js';
import { signHello } from '../../shared/protocol/hello-signature.js';
import { encodeFrame, parseFrame, PROTOCOL_VERSION, type AgentToServer, type Outgoing, type ServerToAgent } from '../../shared/protocol/index.js';
import { owner, type Client } from '../helpers/client.js';
import { seedOrg, type TestServer } from '../helpers/server.js';

export interface DeviceIdentity {
  deviceId: string;
  orgId: string;
  privateKey: KeyObject;
  publicKeyX: string;
  enrollment: AgentEnrollReply;
}

export function deviceKey(): { privateKey: KeyObject; publicKeyX: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKeyX: publicKey.export({ format: 'jwk' }).x as string };
}

let machine = 0;

/** Enrolls a device with a fresh key over HTTP, as the agent would. */
export async function enrollDevice(baseUrl: string, token: string, opts: { machineId?: string; hostname?: string } = {}): Promise<DeviceIdentity> {
  const key = deviceKey();
  const machineId = opts.machineId ?? `${process.pid}-${++machine}-${Math.random()}`;
  const { createHash } = await import('node:crypto');
  const res = await fetch(baseUrl + AGENT_ENROLL_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      publicKey: key.publicKeyX,
      machineId: createHash('sha256').update(machineId).digest('hex'),
      hostname: opts.hostname ?? `ws-${machine}`,
      os: { platform: 'linux', distro: 'Test', release: '1', arch: 'x64' },
      agentVersion: '0.0.0-test',
    }),
  });
  const body = (await res.json()) as AgentEnrollReply & { error?: { code: string } };
  if (res.status !== 201) throw new Error(`enroll failed: ${res.status} ${JSON.stringify(body)}`);
  return { deviceId: body.deviceId, orgId: body.orgId, ...key, enrollment: body };
}

type Frame = ServerToAgent;

export class RawAgent {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #cursor = 0;
  #listeners = new Set<() => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const r = parseFrame('server-to-agent', data.toString());
      if (!r.ok) throw new Error(`server sent an invalid frame: ${r.message}`);
      this.frames.push(r.msg);
      for (const l of this.#listeners) l();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => {});
  }

  static async connect(serverUrl: string, opts: { autoPong?: boolean } = {}): Promise<RawAgent> {
    const ws = new WebSocket(serverUrl.replace(/^http/, 'ws') + '/agent', { autoPong: opts.autoPong ?? true });
    const agent = new RawAgent(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return agent;
  }

  /** The next frame (of `type`, skipping others) not yet taken by an earlier next(). */
  async next<T extends Frame['type']>(type?: T, timeoutMs = 15_000): Promise<Extract<Frame, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#cursor < this.frames.length) {
        const f = this.frames[this.#cursor++]!;
        if (!type || f.type === type) return f as Extract<Frame, { type: T }>;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type ?? 'frame'} within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((resolve) => {
        const l = () => {
          this.#listeners.delete(l);
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(l, left);
        this.#listeners.add(l);
      });
    }
  }

  /** Frames of `type` received so far. */
  all<T extends Frame['type']>(type: T): Array<Extract<Frame, { type: T }>> {
    return this.frames.filter((f) => f.type === type) as Array<Extract<Frame, { type: T }>>;
  }

  send(msg: Outgoing<AgentToServer>): void {
    this.ws.send(encodeFrame(msg));
  }

  sendRaw(text: string | Buffer): void {
    this.ws.send(text);
  }

  /**
   * challenge → hello (signed) → welcome, then the reconcile, acked as the real agent acks it (a
   * reconcile left unacked is resent, and a slow machine would see copies of it arrive later);
   * `ack: false` leaves it pending.
   */
  async authenticate(id: DeviceIdentity, opts: { leases?: string[]; inventoryHash?: string | null; protocol?: number; ack?: boolean } = {}) {
    const challenge = await this.next('challenge');
    this.send(this.hello(id, challenge.nonce, opts));
    const welcome = await this.next('welcome');
    const reconcile = await this.next('reconcile');
    if (opts.ack !== false) this.send({ type: 'ack', id: reconcile.id });
    return { challenge, welcome, reconcile };
  }

  /** `protocol`: the agent's (default the current one; an older one plays an agent not yet updated). */
  hello(id: DeviceIdentity, nonce: string, opts: { leases?: string[]; inventoryHash?: string | null; protocol?: number } = {}): Outgoing<AgentToServer> {
    return {
      type: 'hello',
      protocol: opts.protocol ?? PROTOCOL_VERSION,
      deviceId: id.deviceId,
      agentVersion: '0.0.0-test',
      signature: signHello(id.privateKey, nonce, id.deviceId),
      leases: opts.leases ?? [],
      inventoryHash: opts.inventoryHash ?? null,
    };
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

/** An organization with an owner and an enrollment token. */
export async function orgWithToken(server: TestServer) {
  const org = await seedOrg(server);
  const admin = await owner(server.url, org);
  const token = await admin.client.post(`/api/v1/orgs/${org.orgId}/enrollment-tokens`, { name: 'rollout', expiresInHours: 24 });
  if (token.status !== 201) throw new Error(`token: ${token.status} ${JSON.stringify(token.body)}`);
  return { ...org, admin: admin.client as Client, adminId: admin.accountId, token: token.body.token as string };
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

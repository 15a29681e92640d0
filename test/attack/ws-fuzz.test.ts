// Thousands of garbage frames at the real /agent endpoint, before and after authentication:
// random bytes, binary frames, huge and deeply nested JSON, valid-looking frames with wrong types.
// Every answer is a valid frame (errors carry a code), a socket closes only with a protocol-level
// code, the server logs no internal error, and an agent connected all along is still served.
import { Writable } from 'node:stream';
import fc from 'fast-check';
import winston from 'winston';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodes, MAX_FRAME_BYTES, parseFrame, type ServerToAgent } from '../../shared/protocol/index.js';
import { addMembers } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrollDevice, orgWithToken, RawAgent, type DeviceIdentity } from '../gateway/raw-agent.js';
import { agentToServer, garbageText, malformed } from './protocol-arbitraries.js';

/** Invalid frames a peer may send per minute before it is cut off (production: 20; more here, for fewer sockets). */
const BUDGET = 100;
const PER_SOCKET = 120;
/** ws's own close for a frame over maxPayload. */
const MESSAGE_TOO_BIG = 1009;
/** Close codes a fuzzing peer may get: too many invalid frames, too big, a hello that fails or speaks another protocol. */
const ALLOWED_CLOSES = new Set<number>([
  closeCodes.POLICY_VIOLATION.code,
  MESSAGE_TOO_BIG,
  closeCodes.AUTH_FAILED.code,
  closeCodes.PROTOCOL_UNSUPPORTED.code,
]);

const logged: Array<{ level: string; message: string }> = [];
const logger = winston.createLogger({
  level: 'warn',
  format: winston.format.json(),
  transports: [
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString().split('\n')) if (line) logged.push(JSON.parse(line));
          done();
        },
      }),
    }),
  ],
});

let server: TestServer;
let org: Awaited<ReturnType<typeof orgWithToken>>;
let fuzzer: DeviceIdentity;

beforeAll(async () => {
  server = await startTestServer({ heartbeatSeconds: 30, agents: { maxBadFramesPerMinute: BUDGET, helloTimeoutMs: 5000 } }, { logger });
  org = await orgWithToken(server);
  fuzzer = await enrollDevice(server.url, org.token);
});
afterAll(() => server.stop());

const types = Object.keys(agentToServer);
const anyAgentFrame = fc.constantFrom(...types).chain((t) => agentToServer[t as keyof typeof agentToServer]);

const item = { productCode: 'ACAD', version: null, path: '/opt/autodesk/autocad', serial: null };
/** Valid-looking but too many items (the schema allows 500), under the socket's payload limit. */
const hugeInventory = JSON.stringify({ v: 1, type: 'inventory', items: Array(700).fill(item), hash: 'a'.repeat(64) });
const inventoryOf = (n: number) => JSON.stringify({ v: 1, type: 'inventory', items: Array(n).fill(item), hash: 'a'.repeat(64) });
/** Over the socket's payload limit: ws closes with 1009. */
const oversized = [`{"v":1,"type":"ack","id":"${'x'.repeat(MAX_FRAME_BYTES + 1024)}"}`, inventoryOf(Math.ceil(MAX_FRAME_BYTES / JSON.stringify(item).length) + 100)];

/** What a fuzzing peer sends: mostly text that is wrong, some binary, some large. */
const frame: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 12, arbitrary: malformed(anyAgentFrame, types) },
  { weight: 6, arbitrary: garbageText.filter((t) => Buffer.byteLength(t) < 60 * 1024) },
  { weight: 4, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 2048 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.constant(hugeInventory) },
);

/**
 * What the message listeners saw wrong. An expect() inside an event listener throws into ws's
 * emitter, not into the test, so it can be lost: listeners record, the tests assert.
 */
const listenerFailures: string[] = [];

interface Outcome {
  sent: number;
  errors: number;
  close: number | null;
}

/**
 * Whether the server answers this frame with an error as soon as it reads it (not after queued
 * work): anything that does not parse, and any frame the connection's state refuses (before
 * authenticating everything but hello; after it, a second hello). A hello before authenticating
 * is answered by a close instead (the fuzzer holds no device key).
 */
function answeredAtOnce(f: string | Buffer, auth: boolean): boolean {
  if (typeof f !== 'string') return true;
  const r = parseFrame('agent-to-server', f);
  if (!r.ok) return true;
  return auth ? r.msg.type === 'hello' : r.msg.type !== 'hello';
}

/** Sends `frames` on a fresh socket (after authenticating when `auth`), until it closes or every frame due an answer got one. */
async function fuzzOnce(frames: Array<string | Buffer>, auth: boolean): Promise<Outcome> {
  const a = await RawAgent.connect(server.url);
  const received: ServerToAgent[] = [];
  a.ws.on('message', (data, isBinary) => {
    if (isBinary) listenerFailures.push(`the server sent a binary frame of ${(data as Buffer).length} bytes`);
    const r = parseFrame('server-to-agent', data.toString());
    if (r.ok) received.push(r.msg);
    else listenerFailures.push(`the server sent an invalid frame (${r.message}): ${data.toString().slice(0, 200)}`);
  });
  if (auth) await a.authenticate(fuzzer);
  else await a.next('challenge');
  const before = received.length;
  let sent = 0;
  let due = 0;
  for (const f of frames) {
    if (a.ws.readyState !== WebSocket.OPEN) break;
    a.ws.send(f);
    sent++;
    if (answeredAtOnce(f, auth)) due++;
  }
  // Wait for the state, not for quiet: closed by the server, or every answer due has come.
  const answered = () => received.slice(before).filter((m) => m.type === 'error').length;
  const deadline = Date.now() + 30_000;
  while (a.ws.readyState === WebSocket.OPEN && answered() < due) {
    if (Date.now() > deadline) throw new Error(`${answered()} of ${due} answers after 30 s, socket still open`);
    await new Promise((r) => setTimeout(r, 10));
  }
  let close: number | null = null;
  if (a.ws.readyState !== WebSocket.OPEN) close = (await Promise.race([a.closed, new Promise<never>((_, no) => setTimeout(() => no(new Error('close did not finish')), 5000))])).code;
  a.close();
  expect(listenerFailures).toEqual([]);
  const after = received.slice(before);
  for (const m of after) if (m.type === 'error') expect(m.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  const errors = after.filter((m) => m.type === 'error');
  expect(errors.map((e) => e.code)).not.toContain('INTERNAL');
  return { sent, errors: errors.length, close };
}

describe('WebSocket fuzz on /agent', () => {
  it('answers thousands of garbage frames with error frames or a protocol close, and keeps serving', async () => {
    // An agent that is connected and served throughout.
    const [alice] = await addMembers(server, org.orgId, 1);
    const bystanderId = await enrollDevice(server.url, org.token);
    await server.services.store.tx((t) => {
      const d = t.org(org.orgId)!.devices[bystanderId.deviceId]!;
      d.signedInAccountId = alice!.id;
      d.inventory = [{ productCode: 'SW-PREMIUM', version: '2025', path: '/opt/sw', serial: null }];
    });
    const bystander = await RawAgent.connect(server.url);
    await bystander.authenticate(bystanderId);

    const all = fc.sample(frame, { numRuns: 5000, seed: 20261123 });
    let sent = 0;
    let errors = 0;
    const closes = new Map<number, number>();
    for (let i = 0, k = 0; i < all.length; i += PER_SOCKET, k++) {
      const batch = all.slice(i, i + PER_SOCKET);
      // Every fifth socket gets a frame over the payload limit part way through.
      if (k % 5 === 4) batch.splice(30, 0, oversized[k % 2]!);
      const o = await fuzzOnce(batch, k % 2 === 1);
      sent += o.sent;
      errors += o.errors;
      if (o.close !== null) {
        expect(ALLOWED_CLOSES, `closed with ${o.close}`).toContain(o.close);
        closes.set(o.close, (closes.get(o.close) ?? 0) + 1);
      }
    }
    expect(sent).toBeGreaterThan(4000);
    // Each peer gets an answer per bad frame until its budget is spent, then a policy close.
    expect(errors).toBeGreaterThan(3000);
    expect(closes.get(closeCodes.POLICY_VIOLATION.code) ?? 0).toBeGreaterThan(10);
    expect(closes.get(MESSAGE_TOO_BIG) ?? 0).toBeGreaterThan(0);
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);

    // The bystander is still connected and still told things: its seat is assigned now.
    expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
    const assigned = await org.admin.post(`/api/v1/orgs/${org.orgId}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: alice!.id });
    expect(assigned.status).toBe(201);
    expect((await bystander.next('lease.grant')).token).toMatch(/\./);
    // And a newcomer authenticates as usual.
    const newcomer = await RawAgent.connect(server.url);
    const { welcome } = await newcomer.authenticate(await enrollDevice(server.url, org.token));
    expect(welcome.type).toBe('welcome');
    bystander.close();
    newcomer.close();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(listenerFailures).toEqual([]);
  }, 55_000);

  it('closes a peer past its invalid-frame budget with 1008, before and after authenticating', async () => {
    for (const auth of [false, true]) {
      const o = await fuzzOnce(fc.sample(garbageText.filter((t) => t.length < 1000), { numRuns: BUDGET + 10, seed: 7 }), auth);
      expect(o.close).toBe(closeCodes.POLICY_VIOLATION.code);
      expect(o.errors).toBeGreaterThanOrEqual(BUDGET);
      expect(o.errors).toBeLessThanOrEqual(BUDGET + 1);
    }
    expect(listenerFailures).toEqual([]);
  });
});

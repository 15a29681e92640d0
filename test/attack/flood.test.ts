// A stranger trying to stop the server (issue 14 §1): a password-hashing flood, a flood of idle
// connections, unauthenticated agent sockets, and an enrolled device flooding valid frames. Each
// is replayed against the real server; what matters is that the genuine users are still served.
import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Limits } from '../../server/core/config.js';
import { passwordGate } from '../../server/core/password.js';
import { Client, registered } from '../helpers/client.js';
import { startTestServer, testLimits, type TestServer } from '../helpers/server.js';
import { signHello } from '../../shared/protocol/hello-signature.js';
import { encodeFrame } from '../../shared/protocol/index.js';
import { enrollDevice, orgWithToken, RawAgent, waitFor, type DeviceIdentity } from '../gateway/raw-agent.js';

const servers: TestServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.stop();
});

async function server(limits: Partial<Limits>, extra: Record<string, unknown> = {}) {
  const s = await startTestServer({ limits: { ...testLimits, ...limits }, ...extra });
  servers.push(s);
  return s;
}

/** A TCP connection from another loopback address than the genuine clients' 127.0.0.1. */
function attackerSocket(url: string, from = '127.0.0.2'): Promise<Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host: '127.0.0.1', port: Number(port), localAddress: from }, () => resolve(sock));
    sock.on('error', reject);
    sockets.push(sock);
  });
}

const closed = (s: Socket) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

describe('password-hashing flood', () => {
  it('answers 429 with Retry-After beyond the queue at once, and the admin’s durable write still goes through', async () => {
    const s = await server({ passwordHashConcurrency: 1, passwordHashQueue: 2 });
    const admin = await registered(s.url);
    const flood = Array.from({ length: 60 }, (_, i) =>
      new Client(s.url).post('/api/v1/auth/sign-in', { email: `nobody${i}.${Math.random()}@example.com`, password: 'guess-guess' }),
    );
    const write = await admin.client.post('/api/v1/me/tokens', { name: 'during the flood' });
    const replies = await Promise.all(flood);
    expect(write.status).toBe(201);
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length, 'beyond one running and two waiting, the rest are refused').toBeGreaterThan(0);
    for (const r of limited) {
      expect(r.body.error.code).toBe('RATE_LIMITED');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    for (const r of replies.filter((x) => x.status !== 429)) expect(r.status).toBe(401);
    const genuine = await new Client(s.url).post('/api/v1/auth/sign-in', { email: admin.email, password: 'correct horse battery' });
    expect(genuine.status).toBe(200);
  });

  it('lets a person whose browser signed in before (known-device cookie) past a full queue; a stranger, or another account, is still refused', async () => {
    const s = await server({ passwordHashConcurrency: 1, passwordHashQueue: 1 });
    const a = await registered(s.url);
    const b = await registered(s.url);
    const signIn = (email: string, cookie?: string) =>
      fetch(`${s.url}/api/v1/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ email, password: 'correct horse battery' }),
      });
    const first = await signIn(a.email);
    const known = first.headers.getSetCookie().find((c) => c.startsWith('sk_known='))!.split(';')[0]!;
    expect(known).toMatch(/^sk_known=acc_/);
    // The flood, held still: one hash running and one waiting, both until released.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const blockers = [passwordGate.run(() => held), passwordGate.run(() => held)];
    const stranger = await signIn(a.email);
    expect(stranger.status).toBe(429);
    expect((await signIn(b.email, known)).status, 'the cookie vouches for its own account only').toBe(429);
    const forged = known.replace(/\.[^.]+$/, '.AAAA');
    expect((await signIn(a.email, forged)).status).toBe(429);
    const genuine = signIn(a.email, known);
    // One priority sign-in per account at a time: its own cookie cannot make an account a flood.
    await waitFor('the genuine sign-in queued', () => passwordGate.waiting === 1);
    expect((await signIn(a.email, known)).status).toBe(429);
    release();
    await Promise.all(blockers);
    expect((await genuine).status).toBe(200);
  });

  it('limits every unauthenticated route per address: register, sign-in and enroll answer 429 after the window’s share', async () => {
    const s = await server({ publicRoute: { attempts: 3, windowSeconds: 60 }, enrollments: { attempts: 3, windowSeconds: 60 } });
    const c = new Client(s.url);
    const reg = [];
    for (let i = 0; i < 4; i++) reg.push(await c.post('/api/v1/auth/register', { email: `r${i}@nowhere.test`, password: 'x', name: 'R' }));
    expect(reg.slice(0, 3).every((r) => r.status !== 429)).toBe(true);
    expect(reg[3]!.status).toBe(429);
    expect(reg[3]!.headers.get('retry-after')).toMatch(/^\d+$/);
    for (const [path, body] of [
      ['/api/v1/auth/sign-in', { email: 'a@b.test', password: 'x' }],
      ['/api/v1/agent/enroll', { token: 'ske_nothing' }],
      ['/api/v1/invitations/accept', { token: 'nothing' }],
    ] as const) {
      let last = 0;
      for (let i = 0; i < 4; i++) last = (await c.post(path, body)).status;
      expect(last, path).toBe(429);
    }
  });
});

describe('client address behind a reverse proxy', () => {
  it('ignores X-Forwarded-For from an untrusted peer: rotating it does not escape the limit', async () => {
    const s = await server({ publicRoute: { attempts: 3, windowSeconds: 60 } });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await new Client(s.url).req('POST', '/api/v1/auth/sign-in', { email: 'x@y.test', password: 'p' }, { 'x-forwarded-for': `203.0.113.${i}` })).status);
    }
    expect(statuses.at(-1)).toBe(429);
  });

  it('takes the client from X-Forwarded-For when the proxy is trusted: one client’s tries do not lock out another', async () => {
    const s = await server({ publicRoute: { attempts: 3, windowSeconds: 60 } }, { trustedProxies: ['127.0.0.1'] });
    const from = (ip: string) => new Client(s.url).req('POST', '/api/v1/auth/sign-in', { email: 'x@y.test', password: 'p' }, { 'x-forwarded-for': ip });
    for (let i = 0; i < 4; i++) await from('198.51.100.7');
    expect((await from('198.51.100.7')).status).toBe(429);
    expect((await from('198.51.100.8')).status).toBe(401);
    // A client cannot pose as another by prepending addresses: only the proxy's own entry counts.
    expect((await from('198.51.100.8, 198.51.100.7')).status).toBe(429);
  });
});

describe('connection flood', () => {
  it('caps connections per address, and /healthz and a durable write still work for everyone else', async () => {
    const s = await server({ connectionsPerAddress: 10 });
    const admin = await registered(s.url);
    const flood = await Promise.all(Array.from({ length: 40 }, () => attackerSocket(s.url).catch(() => undefined)));
    const opened = flood.filter((x): x is Socket => !!x);
    // The server closes what is over the cap; the first ten stay open.
    await waitFor('connections over the cap closed', () => opened.filter((x) => x.destroyed || x.readableEnded).length >= opened.length - 10, 10_000);
    expect(opened.filter((x) => !x.destroyed && !x.readableEnded).length).toBeLessThanOrEqual(10);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect((await admin.client.post('/api/v1/me/tokens', { name: 'during the connection flood' })).status).toBe(201);
  });

  it('does not count authenticated agent sockets: an office behind one address keeps all its agents connected', async () => {
    const s = await server({ connectionsPerAddress: 3 });
    const org = await orgWithToken(s);
    const devices: DeviceIdentity[] = [];
    for (let i = 0; i < 6; i++) devices.push(await enrollDevice(s.url, org.token));
    const welcomed = async (dev: DeviceIdentity) => {
      const ws = new WebSocket(s.url.replace(/^http/, 'ws') + '/agent', { localAddress: '127.0.0.3' });
      ws.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (data) => {
          const f = JSON.parse(String(data)) as { type: string; nonce?: string };
          if (f.type === 'challenge') {
            ws.send(encodeFrame({ type: 'hello', protocol: 1, deviceId: dev.deviceId, agentVersion: '0.0.0-test', signature: signHello(dev.privateKey, f.nonce!, dev.deviceId), leases: [], inventoryHash: null }));
          }
          if (f.type === 'welcome') resolve();
        });
        ws.on('close', () => reject(new Error('closed before welcome')));
      });
      return ws;
    };
    const office = [];
    for (const d of devices) office.push(await welcomed(d));
    expect(office.every((ws) => ws.readyState === ws.OPEN)).toBe(true);
    // Idle connections from that address are still capped.
    const idle = await Promise.all(Array.from({ length: 6 }, () => attackerSocket(s.url, '127.0.0.3')));
    await waitFor('idle connections over the cap closed', () => idle.filter((x) => x.destroyed || x.readableEnded).length >= 3, 10_000);
    for (const ws of office) ws.terminate();
  });

  it('closes a connection that sends nothing once the idle timeout passes', async () => {
    const s = await server({ idleTimeoutMs: 200, headersTimeoutMs: 200, requestTimeoutMs: 400 });
    const idle = await attackerSocket(s.url);
    await closed(idle);
    const half = await attackerSocket(s.url);
    half.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await closed(half);
    expect(idle.destroyed && half.destroyed).toBe(true);
  });
});

describe('agent sockets', () => {
  it('refuses more unauthenticated sockets than the per-address cap with 429, and a real device still connects', async () => {
    const s = await server({ unhelloedSocketsPerAddress: 3 });
    const org = await orgWithToken(s);
    const dev = await enrollDevice(s.url, org.token);
    const open = (localAddress: string) =>
      new Promise<{ ws: WebSocket; status: number }>((resolve) => {
        const ws = new WebSocket(s.url.replace(/^http/, 'ws') + '/agent', { localAddress });
        ws.on('open', () => resolve({ ws, status: 101 }));
        ws.on('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0 }));
        ws.on('error', () => {});
      });
    const silent = [];
    for (let i = 0; i < 5; i++) silent.push(await open('127.0.0.2'));
    expect(silent.map((x) => x.status)).toEqual([101, 101, 101, 429, 429]);
    const real = await RawAgent.connect(s.url);
    const { welcome } = await real.authenticate(dev);
    expect(welcome.deviceId).toBe(dev.deviceId);
    real.close();
    // Once a waiting socket goes, its place is free again.
    silent[0]!.ws.terminate();
    await waitFor('a freed place', async () => (await open('127.0.0.2')).status === 101, 5000);
    for (const x of silent) x.ws.terminate();
  });

  it('cuts off an enrolled device flooding valid frames: an error frame, close 1008, and no reconnect until the window ends', async () => {
    const s = await server({ agentFrames: { attempts: 50, windowSeconds: 60 } });
    const org = await orgWithToken(s);
    const dev = await enrollDevice(s.url, org.token);
    const a = await RawAgent.connect(s.url);
    await a.authenticate(dev);
    for (let i = 0; i < 500; i++) a.send({ type: 'lease.request', productCode: 'SW-PREMIUM' });
    const err = await waitFor('the rate-limit error frame', () => a.all('error').find((e) => e.code === 'RATE_LIMITED'), 10_000);
    expect(err.message).toMatch(/too many frames/i);
    expect((await a.closed).code).toBe(1008);
    // Straight back, it is told to wait out the window (each reconnect would cost a signature check).
    const back = await RawAgent.connect(s.url);
    const challenge = await back.next('challenge');
    back.send(back.hello(dev, challenge.nonce));
    expect((await back.next('error')).code).toBe('RATE_LIMITED');
    expect((await back.closed).code).toBe(1008);
    // Other devices are untouched.
    const other = await enrollDevice(s.url, org.token);
    const fine = await RawAgent.connect(s.url);
    expect((await fine.authenticate(other)).welcome.deviceId).toBe(other.deviceId);
    fine.close();
  });
});

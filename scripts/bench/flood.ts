// Bench: what genuine users feel while a stranger floods the server (issue 14 §1). The built
// server runs with its default limits in a process of its own; an admin's durable write
// (POST /api/v1/me/tokens) and a genuine sign-in are timed quiet, then during each flood: a
// password-hashing flood (600 outstanding sign-ins with random emails from 250 addresses, 300/s), a
// connection flood (idle TCP connections from one address, 1 000 new ones a second) and a frame flood (an
// enrolled device sending valid lease.request frames as fast as it can, reconnecting when cut
// off). Loopback addresses 127.x stand in for distinct clients; the genuine sign-ins carry the
// known-device cookie their browser kept, as people's do. Goal: p99 ≤ 3× the quiet figure.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { request, Agent } from 'node:http';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { signHello } from '../../shared/protocol/hello-signature.js';
import { encodeFrame } from '../../shared/protocol/index.js';
import { row, stats, type Row } from './report.js';

interface Reply {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

const agents = new Map<string, Agent>();
/** One HTTP request from `from` (a loopback address), keep-alive per address. */
function http(base: string, method: string, path: string, from: string, body?: unknown, cookie?: string): Promise<Reply> {
  const u = new URL(base + path);
  let agent = agents.get(from);
  if (!agent) agents.set(from, (agent = new Agent({ keepAlive: true, maxSockets: 64 })));
  const payload = JSON.stringify(body ?? {});
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method,
        localAddress: from,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(cookie ? { cookie } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['dist/server.mjs', '--data', dataDir, '--port', '0'], { env: { ...process.env, SEATKEEPER_LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /running at (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { child, url };
}

function addOrg(dataDir: string, file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/server.mjs', 'add-org', '--file', file, '--data', dataDir], { env: { ...process.env, SEATKEEPER_LOG_LEVEL: 'error' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`add-org exited ${code}`))));
  });
}

const PASSWORD = 'correct horse battery';

interface Genuine {
  base: string;
  cookie: string;
  email: string;
  /** the known-device cookie a browser keeps from its last sign-in (http/known-device.ts) */
  known: string;
}

/** Times n admin writes and n/2 genuine sign-ins (each sign-in from its own address, as people are). */
async function measure(g: Genuine, n: number, round: number): Promise<{ write: number[]; signIn: number[]; errors: number }> {
  const write: number[] = [];
  const signIn: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await http(g.base, 'POST', '/api/v1/me/tokens', '127.0.0.1', { name: `bench ${round}.${i}` }, g.cookie).catch(() => ({ status: 0 }) as Reply);
    write.push(performance.now() - t0);
    if (r.status !== 201) errors++;
    if (i % 2 === 0) {
      const t1 = performance.now();
      const s = await http(g.base, 'POST', '/api/v1/auth/sign-in', `127.0.${10 + round}.${1 + (i % 250)}`, { email: g.email, password: PASSWORD }, g.known).catch(() => ({ status: 0 }) as Reply);
      signIn.push(performance.now() - t1);
      if (s.status !== 200) errors++;
    }
  }
  return { write, signIn, errors };
}

/** Runs `flood` until `during` has finished; returns what `during` measured and what the flood says it did. */
async function whileFlooding<T>(flood: Flood, during: () => Promise<T>, warmMs = 1000): Promise<{ result: T; sent: string }> {
  let stopped = false;
  const f = flood(() => stopped);
  await new Promise((r) => setTimeout(r, warmMs));
  let result: T;
  try {
    result = await during();
  } finally {
    stopped = true;
  }
  return { result, sent: await f };
}

/** A flood runs until `stop()` says so, then says what it did ("4127 sign-ins sent"). */
type Flood = (stop: () => boolean) => Promise<string>;

function hashFlood(base: string): Flood {
  return async (stop) => {
    let sent = 0;
    let k = 0;
    // 600 sign-ins outstanding, as in the issue, at 300 a second in all: several times what
    // password hashing can absorb, without turning into a raw request flood on this 2-core box.
    const worker = async () => {
      while (!stop()) {
        const t0 = performance.now();
        const from = `127.0.1.${1 + (k++ % 250)}`;
        await http(base, 'POST', '/api/v1/auth/sign-in', from, { email: `nobody.${k}.${Math.random()}@flood.example`, password: 'guess-guess' }).catch(() => undefined);
        sent++;
        await new Promise((r) => setTimeout(r, Math.max(0, 2000 - (performance.now() - t0))));
      }
    };
    await Promise.all(Array.from({ length: 600 }, worker));
    return `${sent} sign-ins sent`;
  };
}

function connectionFlood(base: string): Flood {
  const { port } = new URL(base);
  return async (stop) => {
    let opened = 0;
    const held = new Set<Socket>();
    const worker = async () => {
      while (!stop()) {
        const pace = new Promise((r) => setTimeout(r, 200));
        await new Promise<void>((resolve) => {
          const s = tcpConnect({ host: '127.0.0.1', port: Number(port), localAddress: '127.0.2.1' }, () => {
            opened++;
            held.add(s);
          });
          s.on('error', () => resolve());
          s.on('close', () => {
            held.delete(s);
            resolve();
          });
          // An idle connection the server keeps: hold it and open the next (1 000 a second in all).
          setTimeout(resolve, 200);
        });
        await pace;
      }
    };
    await Promise.all(Array.from({ length: 200 }, worker));
    for (const s of held) s.destroy();
    return `${opened} connections opened`;
  };
}

function frameFlood(base: string, device: { deviceId: string; privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'] }): Flood {
  return async (stop) => {
    let sent = 0;
    let connections = 0;
    while (!stop()) {
      connections++;
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(base.replace(/^http/, 'ws') + '/agent', { localAddress: '127.0.4.1' });
        ws.on('error', () => resolve());
        ws.on('close', () => resolve());
        ws.on('message', (data) => {
          const f = JSON.parse(String(data)) as { type: string; nonce?: string };
          if (f.type === 'challenge') {
            ws.send(encodeFrame({ type: 'hello', protocol: 1, deviceId: device.deviceId, agentVersion: '0.0.0-bench', signature: signHello(device.privateKey, f.nonce!, device.deviceId), leases: [], inventoryHash: null }));
          } else if (f.type === 'welcome') {
            const blast = () => {
              if (stop() || ws.readyState !== ws.OPEN) return ws.terminate();
              for (let i = 0; i < 500; i++) ws.send(encodeFrame({ type: 'lease.request', id: `m${sent++}`, productCode: 'SW-PREMIUM' }));
              setImmediate(blast);
            };
            blast();
          }
        });
      });
    }
    return `${sent} frames sent over ${connections} connections`;
  };
}

/** The token of the verification link in the (only) verification mail of an outbox, once it is written (after register's answer). */
async function verificationToken(outbox: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    for (const name of await readdir(outbox).catch(() => [] as string[])) {
      const mail = await simpleParser(await readFile(join(outbox, name)));
      const m = /verify-email\?token=(\S+)/.exec(mail.text ?? '');
      if (m) return decodeURIComponent(m[1]!);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no verification mail in the outbox');
}

export async function benchFlood(quick: boolean): Promise<Row[]> {
  const n = quick ? 20 : 60;
  const dataDir = await mkdtemp(join(tmpdir(), 'sk-bench-flood-'));
  const serial = `FLOOD-${process.pid}`;
  const orgFile = join(dataDir, '..', `sk-flood-org-${process.pid}.json`);
  await writeFile(orgFile, JSON.stringify({ name: 'Flood Works', contracts: [{ number: 'C-FLOOD', serials: [serial], lines: [{ productCode: 'SW-PREMIUM', seats: 10, method: 'named-user' }] }] }));
  const orgId = await addOrg(dataDir, orgFile);
  const { child, url } = await startServer(dataDir);
  try {
    const email = `admin.${process.pid}@flood.example`;
    const reg = await http(url, 'POST', '/api/v1/auth/register', '127.0.0.1', { email, password: PASSWORD, name: 'Flood Admin', serial });
    if (reg.status !== 202) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
    // Only a verified address claims: follow the link in the mail the server wrote to its outbox, then sign in.
    const verifyToken = await verificationToken(join(dataDir, 'outbox'));
    const verified = await http(url, 'POST', '/api/v1/auth/verify-email', '127.0.0.1', { token: verifyToken });
    if (verified.status !== 200) throw new Error(`verify: ${verified.status}`);
    const session = await http(url, 'POST', '/api/v1/auth/sign-in', '127.0.0.1', { email, password: PASSWORD });
    if (session.status !== 200) throw new Error(`sign-in: ${session.status} ${JSON.stringify(session.body)}`);
    const cookie = ((session.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('sk_session='))!.split(';')[0]!;
    const claim = await http(url, 'POST', `/api/v1/orgs/${orgId}/claim`, '127.0.0.1', { confirmOrgName: 'Flood Works', acceptTerms: true, responsibleForLicenses: true }, cookie);
    if (claim.status !== 200) throw new Error(`claim: ${claim.status}`);
    const tok = await http(url, 'POST', `/api/v1/orgs/${orgId}/enrollment-tokens`, '127.0.0.1', { name: 'flood', expiresInHours: 1 }, cookie);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const enrolled = await http(url, 'POST', '/api/v1/agent/enroll', '127.0.0.1', {
      token: tok.body.token,
      publicKey: publicKey.export({ format: 'jwk' }).x,
      machineId: createHash('sha256').update('flood-device').digest('hex'),
      hostname: 'flooder',
      os: { platform: 'linux', distro: 'Bench', release: '1', arch: 'x64' },
      agentVersion: '0.0.0-bench',
    });
    if (enrolled.status !== 201) throw new Error(`enroll: ${enrolled.status} ${JSON.stringify(enrolled.body)}`);
    const first = await http(url, 'POST', '/api/v1/auth/sign-in', '127.0.0.1', { email, password: PASSWORD });
    const known = ((first.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('sk_known='))?.split(';')[0];
    if (!known) throw new Error('sign-in left no known-device cookie');
    const g: Genuine = { base: url, cookie, email, known };

    await measure(g, 6, 0); // warm-up
    const quiet = await measure(g, n, 1);
    const floods: Array<[string, Flood]> = [
      ['hash flood', hashFlood(url)],
      ['connection flood', connectionFlood(url)],
      ['frame flood', frameFlood(url, { deviceId: enrolled.body.deviceId, privateKey })],
    ];
    const rows: Row[] = [];
    const q = { write: stats(quiet.write), signIn: stats(quiet.signIn) };
    rows.push(
      row({ bench: 'flood', figure: `admin durable write p50, quiet (n=${n})`, value: q.write.p50, unit: 'ms', baseline: '—', baselineValue: null }),
      row({ bench: 'flood', figure: `genuine sign-in p50, quiet (n=${n / 2})`, value: q.signIn.p50, unit: 'ms', baseline: '—', baselineValue: null }),
    );
    let round = 2;
    for (const [name, flood] of floods) {
      const { result, sent } = await whileFlooding(flood, () => measure(g, n, round++));
      const w = stats(result.write);
      const si = stats(result.signIn);
      const note = `${name}: ${sent}; ${result.errors} genuine request(s) failed`;
      rows.push(
        row({ bench: 'flood', figure: `admin durable write p99 during the ${name} (n=${n})`, value: w.p99, unit: 'ms', baseline: 'same, quiet', baselineValue: q.write.p99, target: '≤ 3× quiet', met: w.p99 <= 3 * q.write.p99 && result.errors === 0, note }),
        row({ bench: 'flood', figure: `genuine sign-in p99 during the ${name} (n=${n / 2})`, value: si.p99, unit: 'ms', baseline: 'same, quiet', baselineValue: q.signIn.p99, target: '≤ 3× quiet', met: si.p99 <= 3 * q.signIn.p99 && result.errors === 0 }),
      );
    }
    return rows;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    for (const a of agents.values()) a.destroy();
    agents.clear();
    await rm(dataDir, { recursive: true, force: true });
    await rm(orgFile, { force: true });
  }
}

// Bench: what genuine users feel while a stranger floods the server (issue 14 §1). The built
// server runs with its default limits in a process of its own; an admin's durable write
// (POST /api/v1/me/tokens) and a genuine sign-in are timed quiet, then during each flood: a
// password-hashing flood (600 outstanding sign-ins with random emails from 250 addresses, 300/s), a
// connection flood (idle TCP connections from one address, 1 000 new ones a second) and a frame flood (an
// enrolled device sending valid lease.request frames as fast as it can, reconnecting when cut
// off). Loopback addresses 127.x stand in for distinct clients; the genuine sign-ins carry the
// known-device cookie their browser kept, as people's do. The attacker runs in a process of its
// own (flood-attacker.ts), as it would on another machine. Goal: p99 ≤ 3× the quiet figure.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FloodStart } from './flood-attacker.js';
import { closeHttpAgents, http, type Reply } from './flood-http.js';
import { row, stats, type Row } from './report.js';
import { Helper } from './rpc.js';

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  // SEATKEEPER_BENCH_PROFILE=flood: the server's CPU profile lands in bench-results/profiles.
  const profile = process.env.SEATKEEPER_BENCH_PROFILE === 'flood' ? ['--cpu-prof', '--cpu-prof-dir', join('bench-results', 'profiles')] : [];
  const child = spawn(process.execPath, [...profile, 'dist/server.mjs', '--data', dataDir, '--port', '0'], { env: { ...process.env, SEATKEEPER_LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'inherit'] });
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
/** A genuine sign-in after every so many admin writes (a sign-in costs a hash: ~0.4 s). */
const SIGN_IN_EVERY = 6;

interface Genuine {
  base: string;
  cookie: string;
  email: string;
  /** the known-device cookie a browser keeps from its last sign-in (http/known-device.ts) */
  known: string;
}

/** Times n admin writes and n/SIGN_IN_EVERY genuine sign-ins (each sign-in from its own address, as people are). */
async function measure(g: Genuine, n: number, round: number): Promise<{ write: number[]; signIn: number[]; errors: number }> {
  const write: number[] = [];
  const signIn: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await http(g.base, 'POST', '/api/v1/me/tokens', '127.0.0.1', { name: `bench ${round}.${i}` }, g.cookie).catch(() => ({ status: 0 }) as Reply);
    write.push(performance.now() - t0);
    if (r.status !== 201) errors++;
    if (i % SIGN_IN_EVERY === 0) {
      const t1 = performance.now();
      const s = await http(g.base, 'POST', '/api/v1/auth/sign-in', `127.0.${10 + round}.${1 + (i % 250)}`, { email: g.email, password: PASSWORD }, g.known).catch(() => ({ status: 0 }) as Reply);
      signIn.push(performance.now() - t1);
      if (s.status !== 200) errors++;
    }
  }
  return { write, signIn, errors };
}

/** Runs the attacker's flood until `during` has finished; returns what `during` measured and what the attacker did. */
async function whileFlooding<T>(attacker: Helper, flood: FloodStart, during: () => Promise<T>, warmMs = 1000): Promise<{ result: T; sent: string }> {
  await attacker.call('start', flood);
  await new Promise((r) => setTimeout(r, warmMs));
  let result: T;
  try {
    result = await during();
  } catch (err) {
    // A failed measurement leaves no flood running.
    await attacker.call('stop').catch(() => undefined);
    throw err;
  }
  return { result, sent: await attacker.call<string>('stop') };
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
  // A p99 needs a few hundred samples: of 60, it is the second worst, one GC pause on either side.
  const n = quick ? 30 : 240;
  const signIns = Math.ceil(n / SIGN_IN_EVERY);
  const dataDir = await mkdtemp(join(tmpdir(), 'sk-bench-flood-'));
  const serial = `FLOOD-${process.pid}`;
  const orgFile = join(dataDir, '..', `sk-flood-org-${process.pid}.json`);
  await writeFile(orgFile, JSON.stringify({ name: 'Flood Works', contracts: [{ number: 'C-FLOOD', serials: [serial], lines: [{ productCode: 'SW-PREMIUM', seats: 10, method: 'named-user' }] }] }));
  const orgId = await addOrg(dataDir, orgFile);
  const { child, url } = await startServer(dataDir);
  let attacker: Helper | null = null;
  try {
    attacker = (await Helper.start('flood attacker', 'bench-flood.mjs')).helper;
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
    const floods: Array<[string, FloodStart]> = [
      ['hash flood', { kind: 'hash', url }],
      ['connection flood', { kind: 'connection', url }],
      ['frame flood', { kind: 'frame', url, device: { deviceId: enrolled.body.deviceId, privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string } }],
    ];
    const rows: Row[] = [];
    const q = { write: stats(quiet.write), signIn: stats(quiet.signIn) };
    rows.push(
      row({ bench: 'flood', figure: `admin durable write p50, quiet (n=${n})`, value: q.write.p50, unit: 'ms', baseline: '—', baselineValue: null }),
      row({ bench: 'flood', figure: `genuine sign-in p50, quiet (n=${signIns})`, value: q.signIn.p50, unit: 'ms', baseline: '—', baselineValue: null }),
    );
    let round = 2;
    for (const [name, flood] of floods) {
      const { result, sent } = await whileFlooding(attacker, flood, () => measure(g, n, round++));
      const w = stats(result.write);
      const si = stats(result.signIn);
      const note = `${name}: ${sent}; ${result.errors} genuine request(s) failed`;
      rows.push(
        row({ bench: 'flood', figure: `admin durable write p99 during the ${name} (n=${n})`, value: w.p99, unit: 'ms', baseline: 'same, quiet', baselineValue: q.write.p99, target: '≤ 3× quiet', met: w.p99 <= 3 * q.write.p99 && result.errors === 0, note }),
        row({ bench: 'flood', figure: `genuine sign-in p99 during the ${name} (n=${signIns})`, value: si.p99, unit: 'ms', baseline: 'same, quiet', baselineValue: q.signIn.p99, target: '≤ 3× quiet', met: si.p99 <= 3 * q.signIn.p99 && result.errors === 0 }),
      );
    }
    return rows;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await attacker?.stop();
    closeHttpAgents();
    await rm(dataDir, { recursive: true, force: true });
    await rm(orgFile, { force: true });
  }
}

// Bench 4: lease grants per second. End to end over the socket (agents keep one lease.request
// outstanding each; the server decides, signs and pushes lease.grant, the agent acks), and the
// server's signer alone in-process; both beside a bare jose EdDSA signing loop in the same run.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, generateKeyPair } from 'jose';
import { tokenOf } from '../../server/gateway/lease-signer.js';
import type { Lease } from '../../server/domain/model.js';
import { Fleet, profiled, startBenchServer, until } from './fleet-procs.js';
import { row, type Row } from './report.js';

/** Calls `fn` for `ms` milliseconds; returns calls per second. */
async function perSecond(ms: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 100; i++) await fn();
    n += 100;
  }
  return (n / (performance.now() - t0)) * 1000;
}

async function joseBaseline(ms: number): Promise<number> {
  const { privateKey } = await generateKeyPair('Ed25519');
  const now = Math.floor(Date.now() / 1000);
  const payload = new TextEncoder().encode(
    JSON.stringify({ iss: 'seatkeeper', sub: 'acc_x', org: 'org_x', dev: 'dev_x', prod: 'SW-PREMIUM', meth: 'named-user', seat: 'lin_x', iat: now, exp: now + 3600, jti: 'lse_x' }),
  );
  return perSecond(ms, () => new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', typ: 'seatkeeper-lease+jwt' }).sign(privateKey));
}

function signerInProcess(ms: number): Promise<number> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const now = Date.now();
  let k = 0;
  const lease = (): Lease => ({
    jti: `lse_${++k}`,
    deviceId: 'dev_x',
    subject: 'acc_x',
    productCode: 'SW-PREMIUM',
    method: 'named-user',
    lineId: 'lin_x',
    issuedAt: now,
    expiresAt: now + 3_600_000,
    status: 'active',
    revokedAt: null,
    revokeReason: null,
  });
  return perSecond(ms, () => tokenOf(privateKey, 'org_x', lease()));
}

async function overTheSocket(n: number, ms: number): Promise<{ perSecond: number; errors: number }> {
  const fleet = await Fleet.start();
  const dataDir = await mkdtemp(join(tmpdir(), 'sk-bench-lease-'));
  const srv = await startBenchServer(dataDir);
  try {
    await srv.helper.call('seed', { n });
    await fleet.setup(`ws://127.0.0.1:${srv.port}/agent`, n, false);
    const c = await fleet.connect(n, 120_000);
    if (c.connected < n) throw new Error(`only ${c.connected} of ${n} agents connected`);
    await until('every agent holding its lease', async () => (await fleet.holding()) === n, 60_000);
    const rs = await profiled(srv, 'lease', () => fleet.all<{ grants: number; errors: number; elapsedMs: number }>('leaseLoop', { durationMs: ms }));
    const grants = rs.reduce((a, r) => a + r.grants, 0);
    return { perSecond: (grants / Math.max(...rs.map((r) => r.elapsedMs))) * 1000, errors: rs.reduce((a, r) => a + r.errors, 0) };
  } finally {
    await fleet.all('closeAll');
    await srv.helper.stop();
    await fleet.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function benchLeases(quick: boolean): Promise<Row[]> {
  const n = quick ? 200 : 1000;
  const socket = await overTheSocket(n, quick ? 3000 : 5000);
  if (socket.errors > 0) throw new Error(`${socket.errors} lease requests were answered with an error`);
  const ms = quick ? 1000 : 2000;
  const base = await joseBaseline(ms);
  const signer = await signerInProcess(ms);
  const baseline = 'bare jose EdDSA CompactSign loop';
  return [
    row({
      bench: 'lease',
      figure: `grants/s over the socket (lease.request → lease.grant → ack), ${n} agents`,
      value: socket.perSecond,
      unit: 'grants/s',
      baseline,
      baselineValue: base,
      target: '≥ 3,000/s',
      met: socket.perSecond >= 3000,
    }),
    row({ bench: 'lease', figure: 'server lease signer (tokenOf) in-process', value: signer, unit: 'signs/s', baseline, baselineValue: base }),
  ];
}

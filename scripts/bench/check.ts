// Bench 5: the agent's `check`. In-process: agent/local checkProduct on a real state directory
// (config, device key, a lease signed by the server's key, the clock file), against the floor of
// verifying the same token with jose alone. As a CLI: `node dist/agent.cjs check` wall time (and the packaged executable's, when built),
// against `node -e 0` (what starting Node costs before any of our code runs).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify } from 'jose';
import { systemClock } from '../../agent/clock.js';
import { checkProduct } from '../../agent/local/check.js';
import { writeConfig, type AgentConfig } from '../../agent/state/config.js';
import { generateDeviceKey, saveDeviceKey } from '../../agent/state/device-key.js';
import { writeHeldLease } from '../../agent/state/lease-store.js';
import { statePaths } from '../../agent/state/paths.js';
import { prepareUsageDirs } from '../../agent/state/usage-fold.js';
import { exportLeasePublicJwk, generateLeaseKeyPair, signLease } from '../../shared/lease.js';
import { distDir } from './rpc.js';
import { row, stats, type Row } from './report.js';

const PRODUCT = 'SW-PREMIUM';

export async function enrolledState(dir: string) {
  const paths = statePaths(dir);
  const leaseKey = await generateLeaseKeyPair();
  await saveDeviceKey(paths, generateDeviceKey());
  const config: AgentConfig = {
    schema: 1,
    server: 'http://127.0.0.1:9',
    agentSocketUrl: 'ws://127.0.0.1:9/agent',
    deviceId: 'dev_bench',
    orgId: 'org_bench',
    orgName: 'Bench',
    leasePublicKeyJwk: await exportLeasePublicJwk(leaseKey.publicKey),
    settings: { heartbeatSeconds: 15, leaseTtlSeconds: 7 * 24 * 3600, inventoryCron: '*/15 * * * *' },
    enrolledAt: Date.now(),
  };
  await writeConfig(paths, config);
  const now = Math.floor(Date.now() / 1000);
  const token = await signLease(leaseKey.privateKey, {
    sub: 'acc_bench',
    org: 'org_bench',
    dev: 'dev_bench',
    prod: PRODUCT,
    meth: 'named-user',
    seat: 'lin_bench',
    iat: now,
    exp: now + 24 * 3600,
    jti: 'lse_bench',
  });
  await writeHeldLease(paths, PRODUCT, token, Date.now());
  // As the daemon leaves it: the CLI check appends its answer to the usage spool (timed with it).
  await prepareUsageDirs(paths);
  return { paths, config, token, leaseKey };
}

async function timed(count: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

function run(args: string[], cmd = process.execPath): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
}

export async function benchCheck(quick: boolean): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sk-bench-check-'));
  try {
    const st = await enrolledState(dir);
    const check = async () => {
      const r = await checkProduct({ paths: st.paths, config: st.config, productCode: PRODUCT, clock: systemClock });
      if (!r.ok) throw new Error(`check refused the lease: ${r.reason}`);
    };
    const n = quick ? 300 : 3000;
    await timed(50, check);
    const ours = stats(await timed(n, check));
    const floor = stats(await timed(n, () => compactVerify(st.token, st.leaseKey.publicKey, { algorithms: ['EdDSA'] })));

    const agent = join(distDir, 'agent.cjs');
    const runs = quick ? 5 : 20;
    // The single executable of this platform, when packaged (npm run package:agent).
    const exe = join(distDir, `seatkeeper-agent-${process.platform}-${process.arch}`);
    const packaged = existsSync(exe);
    const cli: number[] = [];
    const exeRuns: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t0 = performance.now();
      const code = await run([agent, 'check', PRODUCT, '--state-dir', dir]);
      cli.push(performance.now() - t0);
      if (code !== 0) throw new Error(`agent check exited ${code}`);
      if (packaged) {
        t0 = performance.now();
        const exeCode = await run(['check', PRODUCT, '--state-dir', dir], exe);
        exeRuns.push(performance.now() - t0);
        if (exeCode !== 0) throw new Error(`packaged agent check exited ${exeCode}`);
      }
      t0 = performance.now();
      await run(['-e', '0']);
      bare.push(performance.now() - t0);
    }
    const c = stats(cli);
    const b = stats(bare);
    return [
      row({ bench: 'check', figure: `in-process check p50 (n=${n})`, value: ours.p50, unit: 'ms', baseline: 'jose compactVerify of the same token', baselineValue: floor.p50 }),
      row({
        bench: 'check',
        figure: `in-process check p99 (n=${n})`,
        value: ours.p99,
        unit: 'ms',
        baseline: 'jose compactVerify of the same token',
        baselineValue: floor.p99,
        target: '≤ 1 ms',
        met: ours.p99 <= 1,
      }),
      row({ bench: 'check', figure: `CLI wall time p50 (node dist/agent.cjs check, n=${runs})`, value: c.p50, unit: 'ms', baseline: 'node -e 0', baselineValue: b.p50, target: '≤ 1.3×', met: c.p50 / b.p50 <= 1.3 }),
      ...(packaged
        ? [
            row({
              bench: 'check',
              figure: `packaged agent check wall time p50 (${process.platform}-${process.arch} executable, n=${runs})`,
              value: stats(exeRuns).p50,
              unit: 'ms',
              baseline: 'node -e 0',
              baselineValue: b.p50,
              target: '≤ 1.3×',
              met: stats(exeRuns).p50 / b.p50 <= 1.3,
            }),
          ]
        : []),
      row({ bench: 'check', figure: `CLI wall time p99 (n=${runs})`, value: c.p99, unit: 'ms', baseline: 'node -e 0', baselineValue: b.p99 }),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The single executable: built from dist/agent.cjs, run with no node on PATH.
import { execFile, spawn } from 'node:child_process';
import { existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHeldLease } from '../../agent/state/lease-store.js';
import { generateLeaseKeyPair, signLease } from '../../shared/lease.js';
import { AGENT_BUNDLE, REPO, ensureAgentBundle, type AgentRun } from './helpers/run-agent.js';
import { makeEnrolledState, tempDir, type TestState } from './helpers/state.js';
import { orgWithToken } from '../gateway/raw-agent.js';
import { startTestServer } from '../helpers/server.js';

const EXE = path.join(REPO, 'dist', `seatkeeper-agent-${process.platform}-${process.arch}`);
let st: TestState;

function runExe(args: string[], PATH = '/nonexistent'): Promise<AgentRun> {
  return new Promise((resolve) => {
    // No node anywhere on PATH (unless a test needs the system's commands): the executable must carry everything it needs.
    const child = spawn(EXE, args, { env: { PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  await ensureAgentBundle();
  const fresh = existsSync(EXE) && statSync(EXE).mtimeMs > statSync(AGENT_BUNDLE).mtimeMs;
  if (!fresh) {
    await new Promise<void>((resolve, reject) =>
      // This host's build only: test/windows builds the Windows one and the MSI.
      execFile(process.execPath, ['scripts/package-agent.mjs'], { cwd: REPO, timeout: 120_000, env: { ...process.env, SEATKEEPER_PACKAGE_TARGETS: `${process.platform}-${process.arch}` } }, (err, _out, stderr) =>
        err ? reject(new Error(`package-agent failed: ${stderr}`)) : resolve(),
      ),
    );
  }
  const leaseKey = await generateLeaseKeyPair();
  st = await makeEnrolledState({ leaseKey, deviceId: 'dev_sea' });
  const now = Math.floor(Date.now() / 1000);
  const token = await signLease(leaseKey.privateKey, {
    sub: 'serial:9000-1111',
    org: 'org_test',
    dev: 'dev_sea',
    prod: 'SW-PRO',
    meth: 'serial',
    seat: 'line_1',
    iat: now,
    exp: now + 3600,
    jti: 'lease_sea',
  });
  await writeHeldLease(st.paths, 'SW-PRO', token, Date.now());
}, 180_000);

afterAll(async () => {
  await fs.rm(st.dir, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('single executable', () => {
  it('prints the packaged version, without warnings', async () => {
    const r = await runExe(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(await fs.readFile(path.join(REPO, 'package.json'), 'utf8')).version);
    expect(r.stderr).toBe('');
  });

  it('checks a real lease offline: 0 for the leased product, 1 for another, 2 when not enrolled', async () => {
    const ok = await runExe(['check', 'SW-PRO', '--state-dir', st.dir]);
    expect(ok.stdout).toContain('SW-PRO: ok (serial');
    expect(ok.code).toBe(0);
    const no = await runExe(['check', 'ACAD', '--state-dir', st.dir]);
    expect(no.code).toBe(1);
    expect(no.stdout).toContain('no-lease');
    const none = await runExe(['check', 'ACAD', '--state-dir', path.join(st.dir, 'missing')]);
    expect(none.code).toBe(2);
  });

  it('enrolls with the operating system read by systeminformation, which it carries as an asset', async () => {
    const server = await startTestServer();
    const dir = await tempDir('sk-sea-enroll-');
    try {
      const org = await orgWithToken(server);
      // systeminformation reads the release files with `cat`: the system's PATH.
      const r = await runExe(['enroll', '--server', server.url, '--token', org.token, '--json', '--state-dir', dir], process.env.PATH);
      expect(r.code, r.stderr).toBe(0);
      const { deviceId } = JSON.parse(r.stdout) as { deviceId: string };
      const expected = await (await import('systeminformation')).osInfo();
      expect(expected.distro).not.toBe('');
      expect(server.services.store.org(org.orgId)!.devices[deviceId]!.os).toEqual({ platform: expected.platform, distro: expected.distro, release: expected.release, arch: expected.arch });
    } finally {
      await server.stop();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

// `check` run by an ordinary user against a state directory the root service wrote: it works when
// the lease is readable (no device key needed), and an unreadable lease is an error (exit 2) with
// a plain reason — never "tampered" (exit 1), which would send people looking for an attack.
import { execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureOf, loadCommands } from '../../agent/cli.js';
import { raiseHighestSeen } from '../../agent/state/clock-guard.js';
import { StateAccessError } from '../../agent/state/access-error.js';
import { leaseReadFailure, writeHeldLease } from '../../agent/state/lease-store.js';
import { prepareStateDir } from '../../agent/state/modes.js';
import { generateLeaseKeyPair, signLease, type LeaseKeyPair } from '../../shared/lease.js';
import { AGENT_BUNDLE, ensureAgentBundle, type AgentRun } from './helpers/run-agent.js';
import { makeEnrolledState, tempDir, type TestState } from './helpers/state.js';

const checkCommand = (await loadCommands()).find((c) => c.name === 'check')!;
const mode = async (p: string) => (await fs.stat(p)).mode & 0o777;

describe('reading a lease file that fails', () => {
  it.each([['EACCES'], ['EPERM']])('throws %s as a StateAccessError naming the file', (code) => {
    const e = Object.assign(new Error(`${code}: permission denied, open '/s/leases/ACAD.json'`), { code });
    expect(() => leaseReadFailure('/s/leases/ACAD.json', e)).toThrow(StateAccessError);
    expect(() => leaseReadFailure('/s/leases/ACAD.json', e)).toThrow(`permission denied (${code}) reading /s/leases/ACAD.json`);
  });

  it.each([
    ['a file that is not JSON', new SyntaxError('Unexpected token')],
    ['a directory in its place', Object.assign(new Error('EISDIR'), { code: 'EISDIR' })],
  ])('takes %s as a damaged (tampered) lease', (_what, e) => {
    expect(leaseReadFailure('/s/leases/ACAD.json', e)).toEqual({ kind: 'corrupt' });
  });

  it('maps the access error to exit 2 and a reason without a stack', () => {
    const f = failureOf(checkCommand, new StateAccessError('/var/lib/seatkeeper/leases/ACAD.json', 'EACCES'));
    expect(f.exitCode).toBe(2);
    expect(f.text).toMatch(/^seatkeeper-agent check: cannot read the lease cache: permission denied \(\/var\/lib\/seatkeeper\/leases\/ACAD\.json\)/);
    expect(f.text).not.toMatch(/\n\s+at /);
  });
});

describe('state written by a service with UMask=0077', () => {
  let st: TestState;
  let leaseKey: LeaseKeyPair;
  let base: string;
  const saved = process.umask();

  beforeAll(async () => {
    await ensureAgentBundle();
    leaseKey = await generateLeaseKeyPair();
    base = await tempDir('sk-perm-');
    // mkdtemp makes 0700; the parent of a real state dir (/var/lib) is open to all.
    await fs.chmod(base, 0o755);
    process.umask(0o077);
    try {
      st = await makeEnrolledState({ leaseKey, deviceId: 'dev_perm', dir: path.join(base, 'state') });
      await fs.mkdir(st.paths.leases, { mode: 0o700 });
      await writeHeldLease(st.paths, 'ACAD', await signLease(leaseKey.privateKey, claims('ACAD')), Date.now());
      await prepareStateDir(st.paths);
      await raiseHighestSeen(st.paths, Date.now());
    } finally {
      process.umask(saved);
    }
  });
  afterAll(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  it('opens the directories and leases to every user, and keeps the device key private', async () => {
    expect(await mode(st.dir)).toBe(0o755);
    expect(await mode(st.paths.leases)).toBe(0o755);
    expect(await mode(st.paths.lease('ACAD'))).toBe(0o644);
    expect(await mode(st.paths.config)).toBe(0o644);
    expect(await mode(st.paths.clock)).toBe(0o644);
    expect(await mode(st.paths.deviceKey)).toBe(0o600);
  });

  const other = otherUser();
  it.skipIf(!other)(`lets another user (${other?.who}) check a lease, without the device key`, async () => {
    const r = await other!.run(['check', 'ACAD', '--state-dir', st.dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ACAD: ok (named-user');
  });

  it.skipIf(!other)(`gives ${other?.who} exit 2 and the reason for a lease it may not read`, async () => {
    const file = st.paths.lease('ACAD');
    await fs.chmod(file, other!.unreadable);
    try {
      for (const args of [['check', 'ACAD'], ['check', 'ACAD', '--json'], ['status']]) {
        const r = await other!.run([...args, '--state-dir', st.dir]);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toContain(`cannot read the lease cache: permission denied (${file})`);
        expect(r.stdout).not.toContain('tampered');
      }
    } finally {
      await fs.chmod(file, 0o644);
    }
  });
});

function claims(prod: string) {
  const now = Math.floor(Date.now() / 1000);
  return { sub: 'acc_alice', org: 'org_test', dev: 'dev_perm', prod, meth: 'named-user' as const, seat: 'line_1', iat: now - 60, exp: now + 3600, jti: `lease_${prod}_${now}` };
}

/**
 * Someone who is not the owner of the state files. As root, `nobody` through setpriv (root reads
 * everything, so running as root would prove nothing); as an ordinary user, that user against a
 * file made unreadable to its owner.
 */
function otherUser(): { who: string; unreadable: number; run: (args: string[]) => Promise<AgentRun> } | null {
  if (process.platform === 'win32') return null;
  const uid = process.getuid?.();
  if (uid !== 0) return { who: 'this user', unreadable: 0o000, run: (args) => spawnRun(process.execPath, [AGENT_BUNDLE, ...args]) };
  try {
    execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return {
    who: 'nobody',
    unreadable: 0o600,
    run: (args) => spawnRun('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, AGENT_BUNDLE, ...args]),
  };
}

function spawnRun(cmd: string, args: string[]): Promise<AgentRun> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

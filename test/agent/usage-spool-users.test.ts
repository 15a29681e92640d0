// The usage spool across local users, as it runs on a workstation: the root service made the state
// directory; `nobody` runs `check` (the built agent), which appends to a spool file of its own that
// others cannot read, list or take over; the daemon's fold counts nobody's lines as nobody's and
// drops a file nobody planted under root's name. Needs root (for setpriv to become nobody).
import { execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareStateDir } from '../../agent/state/modes.js';
import { writeHeldLease } from '../../agent/state/lease-store.js';
import { foldSpool, prepareUsageDirs } from '../../agent/state/usage-fold.js';
import { recordCheck } from '../../agent/state/usage-spool.js';
import { generateLeaseKeyPair, signLease } from '../../shared/lease.js';
import { AGENT_BUNDLE, ensureAgentBundle } from './helpers/run-agent.js';
import { makeEnrolledState, tempDir, type TestState } from './helpers/state.js';

const NOBODY = 65534;
const canBecomeNobody = (() => {
  if (process.platform === 'win32' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function asNobody(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, ...args], {
      env: { PATH: process.env.PATH ?? '', USER: 'nobody' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let base: string;
let st: TestState;

describe.skipIf(!canBecomeNobody)('the usage spool between local users (as root, with setpriv)', () => {
  beforeAll(async () => {
    await ensureAgentBundle();
    const leaseKey = await generateLeaseKeyPair();
    base = await tempDir('sk-spool-users-');
    await fs.chmod(base, 0o755);
    st = await makeEnrolledState({ leaseKey, deviceId: 'dev_spool', dir: path.join(base, 'state') });
    const now = Math.floor(Date.now() / 1000);
    await writeHeldLease(st.paths, 'ACAD', await signLease(leaseKey.privateKey, { sub: 'acc_a', org: 'org_t', dev: 'dev_spool', prod: 'ACAD', meth: 'named-user', seat: 'l1', iat: now - 60, exp: now + 3600, jti: `lse_${now}` }), Date.now());
    await prepareStateDir(st.paths);
    await prepareUsageDirs(st.paths);
  });
  afterAll(() => fs.rm(base, { recursive: true, force: true }));

  it("counts nobody's checks as nobody's, in a file only nobody and the service read", async () => {
    expect((await asNobody([AGENT_BUNDLE, 'check', 'ACAD', '--state-dir', st.dir])).code).toBe(0);
    expect((await asNobody([AGENT_BUNDLE, 'check', 'SW-PREMIUM', '--state-dir', st.dir])).code).toBe(1);
    const file = path.join(st.paths.usageSpool, `u${NOBODY}.log`);
    const s = await fs.stat(file);
    expect([s.uid, s.mode & 0o777]).toEqual([NOBODY, 0o600]);
    // nobody may create there but not look around.
    const list = await asNobody(['-e', `require('fs').readdirSync(${JSON.stringify(st.paths.usageSpool)})`]);
    expect(list.code).not.toBe(0);
    expect(list.stderr).toContain('EACCES');

    // nobody plants a file under root's name: root's check will not write into it, and the fold drops it.
    const planted = await asNobody(['-e', `require('fs').writeFileSync(${JSON.stringify(path.join(st.paths.usageSpool, 'u0.log'))}, '${Date.now()}\\tACAD\\tok\\troot\\n', { mode: 0o666 })`]);
    expect(planted.code).toBe(0);
    expect(recordCheck(st.paths.usageSpool, Date.now(), 'ACAD', 'ok', 'root')).toBe(false);
    const f = await foldSpool(st.paths, Date.now());
    expect(f.dropped).toBe(1);
    expect(f.counts.map((c) => [c.productCode, c.outcome, c.user, c.count]).sort()).toEqual([
      ['ACAD', 'ok', 'nobody', 1],
      ['SW-PREMIUM', 'no-lease', 'nobody', 1],
    ]);
    // The taken files are out of nobody's reach.
    const reach = await asNobody(['-e', `require('fs').readdirSync(${JSON.stringify(st.paths.usageTaken)})`]);
    expect(reach.code).not.toBe(0);
  });
});

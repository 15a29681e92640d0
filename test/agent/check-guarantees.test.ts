// What `check` holds against a local user (issue 14 §10), on the real agent process: the shipped
// bundle ignores test hooks, and a lease's issue time is a floor for the clock even when
// clock.json is deleted.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHeldLease } from '../../agent/state/lease-store.js';
import { generateLeaseKeyPair, signLease, type LeaseClaimsInput, type LeaseKeyPair } from '../../shared/lease.js';
import { AGENT_BUNDLE, HOOKS_BUNDLE, ensureAgentBundle } from './helpers/run-agent.js';
import { makeEnrolledState, tempDir } from './helpers/state.js';

let leaseKey: LeaseKeyPair;
const dirs: string[] = [];
const nowS = Math.floor(Date.now() / 1000);

const claims = (over: Partial<LeaseClaimsInput>): LeaseClaimsInput => ({
  sub: 'acc_alice', org: 'org_test', dev: 'dev_check', prod: 'ACAD', meth: 'named-user', seat: 'line_1',
  iat: nowS - 60, exp: nowS + 3600, jti: `lease_${Math.random().toString(36).slice(2)}`, ...over,
});

/** `node <bundle> check ACAD --json` with exactly this environment. */
function check(bundle: string, dir: string, env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; out: { ok: boolean; reason?: string } }>((resolve) => {
    const child = spawn(process.execPath, [bundle, 'check', 'ACAD', '--json', '--state-dir', dir], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('close', (code) => resolve({ code, out: JSON.parse(stdout) }));
  });
}

async function stateWith(over: Partial<LeaseClaimsInput>) {
  const dir = await tempDir('sk-guarantee-');
  dirs.push(dir);
  const s = await makeEnrolledState({ leaseKey, deviceId: 'dev_check', dir });
  await writeHeldLease(s.paths, 'ACAD', await signLease(leaseKey.privateKey, claims(over)), Date.now());
  return s;
}

beforeAll(async () => {
  await ensureAgentBundle();
  leaseKey = await generateLeaseKeyPair();
});
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('the shipped agent and test hooks', () => {
  it('ignores SEATKEEPER_FAKE_NOW: an expired lease stays expired however the hook is set', async () => {
    const s = await stateWith({ iat: nowS - 7200, exp: nowS - 60 });
    const before = String((nowS - 3600) * 1000);
    const shipped = await check(AGENT_BUNDLE, s.dir, { SEATKEEPER_FAKE_NOW: before });
    expect(shipped.code).toBe(1);
    expect(shipped.out).toMatchObject({ ok: false, reason: 'expired' });
    // The same hook on the test build does move the clock: the shipped one ignoring it is what kept the lease expired.
    const fresh = await stateWith({ iat: nowS - 7200, exp: nowS - 60 });
    const hooked = await check(HOOKS_BUNDLE, fresh.dir, { SEATKEEPER_FAKE_NOW: before });
    expect(hooked.out.ok).toBe(true);
  });

  it('is built with the hooks switched off', async () => {
    // dist/agent.cjs starts dist/agent-bundle.cjs (with a code cache): the code is in the bundle.
    expect(await fs.readFile(AGENT_BUNDLE, 'utf8')).toContain('agent-bundle.cjs');
    const text = await fs.readFile(AGENT_BUNDLE.replace(/agent\.cjs$/, 'agent-bundle.cjs'), 'utf8');
    const hooked = await fs.readFile(AGENT_BUNDLE.replace(/agent\.cjs$/, 'agent-hooks-bundle.cjs'), 'utf8');
    // The switch is set at build time (the minified bundle folds it; the test above shows its effect).
    expect(text).not.toContain('__SEATKEEPER_TEST_HOOKS__');
    const withoutBuildId = (t: string) => t.replace(/\/\/ seatkeeper-build \S+\s*$/, '');
    expect(withoutBuildId(text)).not.toBe(withoutBuildId(hooked));
  });
});

describe('the lease’s issue time as a floor for the clock', () => {
  it('refuses a lease issued after "now" (the clock set back before issue) with clock.json deleted', async () => {
    // As if the clock were turned back two hours after the lease came: its iat is ahead of the clock.
    const s = await stateWith({ iat: nowS + 7200, exp: nowS + 9000 });
    await fs.rm(s.paths.clock, { force: true });
    const r = await check(AGENT_BUNDLE, s.dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatchObject({ ok: false, reason: 'clock-rolled-back' });
  });

  it('still accepts a lease issued a moment ago by a server whose clock runs slightly ahead', async () => {
    const s = await stateWith({ iat: nowS + 60 });
    await fs.rm(s.paths.clock, { force: true });
    const r = await check(AGENT_BUNDLE, s.dir);
    expect(r.out.ok).toBe(true);
    expect(r.code).toBe(0);
  });
});

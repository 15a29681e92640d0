// `npm start` (dist/demo.mjs): the local demo agent it enrolls is the workstation it signs in as
// the demo admin, even when the data directory already holds other workstations.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { enrollDevice } from '../gateway/raw-agent.js';
import { REPO, runAgent } from '../agent/helpers/run-agent.js';
import { tempDir } from '../agent/helpers/state.js';
import { ensureAgentBundle, until } from './workstation.js';

const DEMO = path.join(REPO, 'dist', 'demo.mjs');
const ADMIN = { email: 'admin@acme.example', password: 'seatkeeper-demo' };
const running: ChildProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  await ensureAgentBundle();
  if (!existsSync(DEMO) || statSync(DEMO).mtimeMs < statSync(path.join(REPO, 'scripts', 'demo.ts')).mtimeMs) {
    throw new Error('dist/demo.mjs is missing or older than scripts/demo.ts: run `npm run build`');
  }
});
afterEach(async () => {
  for (const c of running.splice(0)) await stopDemo(c);
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

/** Starts the demo and resolves with its URL once it prints it. */
async function startDemo(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [DEMO], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', PORT: '0', SEATKEEPER_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`demo did not start: ${out} ${err}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /Seatkeeper is running: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`demo exited ${code}: ${out} ${err}`)));
  });
  return { child, url };
}

async function stopDemo(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  // SIGTERM: the demo stops its agent too.
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

describe('the demo', () => {
  it('seeds through the same rules as the API, so its audit log tells how the organization came to be', async () => {
    const data = await tempDir('sk-demo-data-');
    dirs.push(data);
    const demo = await startDemo({ SEATKEEPER_DATA: data, SEATKEEPER_DEMO_AGENT: '0' });
    const admin = new Client(demo.url);
    const orgId = (await admin.post('/api/v1/auth/sign-in', ADMIN)).body.orgs[0].orgId as string;
    const events = (await admin.get(`/api/v1/orgs/${orgId}/audit?limit=1000`)).body.events as Array<{ action: string; actor: string }>;
    const count = (action: string) => events.filter((e) => e.action === action).length;
    expect(count('org.create')).toBe(1);
    expect(count('contract.create')).toBe(2);
    expect(count('org.claim')).toBe(1);
    expect(count('team.create')).toBe(1);
    expect(count('team.contract.attach')).toBe(1);
    // Four engineers invited and accepting, each with their products: 8 seats and the admin's one.
    expect(count('invitation.create')).toBe(4);
    expect(count('invitation.accept')).toBe(4);
    expect(count('member.join')).toBe(4);
    expect(count('assignment.create')).toBe(9);
    expect(count('team.member.add')).toBe(3);
    // And what the demo has is what the log says it made.
    const seats = (await admin.get(`/api/v1/orgs/${orgId}/assignments`)).body.assignments;
    expect(seats).toHaveLength(9);
  });

  it('signs in the agent it enrolled, not the first workstation it finds', async () => {
    const data = await tempDir('sk-demo-data-');
    const home = await tempDir('sk-demo-agent-');
    dirs.push(data, home);

    // A first run without the agent, where someone else's workstation enrolls.
    const first = await startDemo({ SEATKEEPER_DATA: data, SEATKEEPER_DEMO_AGENT: '0' });
    const admin = new Client(first.url);
    const me = await admin.post('/api/v1/auth/sign-in', ADMIN);
    expect(me.status).toBe(200);
    const orgId = me.body.orgs[0].orgId as string;
    const token = await admin.post(`/api/v1/orgs/${orgId}/enrollment-tokens`, { name: 'elsewhere', expiresInHours: 1 });
    expect(token.status).toBe(201);
    const other = await enrollDevice(first.url, token.body.token, { hostname: 'someone-elses-pc' });
    await stopDemo(first.child);

    // The second run enrolls its own agent beside it.
    const second = await startDemo({ SEATKEEPER_DATA: data, SEATKEEPER_DEMO_AGENT_HOME: home });
    const stateDir = path.join(home, 'state');
    const status = await until(
      'the demo agent signed in',
      async () => {
        const r = await runAgent(['status', '--json', '--state-dir', stateDir]);
        const s = r.code === 0 ? JSON.parse(r.stdout) : null;
        return s?.signedIn?.email === ADMIN.email ? s : null;
      },
      20_000,
      200,
    );
    expect(status.deviceId).not.toBe(other.deviceId);
    const again = new Client(second.url);
    await again.post('/api/v1/auth/sign-in', ADMIN);
    const devices = (await again.get(`/api/v1/orgs/${orgId}/devices`)).body.devices as Array<{ id: string; signedInAccount: { email: string } | null }>;
    expect(devices.find((d) => d.id === other.deviceId)?.signedInAccount).toBeNull();
    expect(devices.find((d) => d.id === status.deviceId)?.signedInAccount?.email).toBe(ADMIN.email);
  });
});

// Enroll reports the operating system systeminformation reads, though the agent's bundle no longer
// carries systeminformation: it is a bundle of its own beside it (agent/detect/system-information.ts).
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgWithToken } from '../gateway/raw-agent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ensureAgentBundle, runAgent } from './helpers/run-agent.js';
import { tempDir } from './helpers/state.js';

let server: TestServer;
const dirs: string[] = [];
beforeAll(async () => {
  await ensureAgentBundle();
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('enroll from the bundled agent', () => {
  it('reports the distribution and release systeminformation reads on this machine', async () => {
    const org = await orgWithToken(server);
    const dir = await tempDir('sk-osinfo-');
    dirs.push(dir);
    const r = await runAgent(['enroll', '--server', server.url, '--token', org.token, '--json', '--state-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    const { deviceId } = JSON.parse(r.stdout) as { deviceId: string };
    const expected = await (await import('systeminformation')).osInfo();
    expect(expected.distro).not.toBe('');
    expect(server.services.store.org(org.orgId)!.devices[deviceId]!.os).toEqual({ platform: expected.platform, distro: expected.distro, release: expected.release, arch: expected.arch });
  });
});

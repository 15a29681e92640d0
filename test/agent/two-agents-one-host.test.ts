// Two agents on one machine (issue 14 §5): each installation has its own --state-dir and enrolls
// as its own device, with the shipped agent (no test hook: both read the same machine id), and
// neither takes the other's place.
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

describe('two agents on one host', () => {
  it('enroll as two devices with their own keys; enrolling the second leaves the first as it was', async () => {
    const org = await orgWithToken(server);
    const enroll = async () => {
      const dir = await tempDir('sk-two-');
      dirs.push(dir);
      const r = await runAgent(['enroll', '--server', server.url, '--token', org.token, '--json', '--state-dir', dir]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { deviceId: string };
    };
    const first = await enroll();
    const before = structuredClone(server.services.store.org(org.orgId)!.devices[first.deviceId]!);
    const second = await enroll();
    expect(second.deviceId).not.toBe(first.deviceId);
    const devices = server.services.store.org(org.orgId)!.devices;
    expect(devices[first.deviceId]).toEqual(before);
    expect(devices[second.deviceId]!.publicKey).not.toBe(before.publicKey);
    // The same machine: the same (salted) machine id, recorded, never used to pick a device.
    expect(devices[second.deviceId]!.machineIdHash).toBe(before.machineIdHash);
  });
});

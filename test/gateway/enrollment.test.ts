import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentEnrollReply } from '../../shared/api/agent-enroll.js';
import { registered } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrollDevice, orgWithToken } from './raw-agent.js';

const HOUR = 3600 * 1000;
let now = Date.now();
let server: TestServer;

beforeAll(async () => {
  // A clock the test moves, for token expiry.
  server = await startTestServer({ heartbeatSeconds: 1 }, { clock: () => now });
});
afterAll(() => server.stop());

describe('enrollment tokens', () => {
  it('shows the secret once with an install command, lists tokens without it, and stores only its hash', async () => {
    const org = await orgWithToken(server);
    now += 1000;
    const created = await org.admin.post(`/api/v1/orgs/${org.orgId}/enrollment-tokens`, { name: 'Floor 2', expiresInHours: 2 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Floor 2', status: 'active', uses: 0, revokedAt: null });
    expect(created.body.installCommand).toContain(`--server ${server.url}`);
    expect(created.body.installCommand).toContain(`--token ${created.body.token}`);
    const list = await org.admin.get(`/api/v1/orgs/${org.orgId}/enrollment-tokens`);
    expect(list.body.tokens.map((t: { name: string }) => t.name)).toEqual(['Floor 2', 'rollout']);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect(JSON.stringify(server.services.store.org(org.orgId))).not.toContain(created.body.token);
  });

  it('is for administrators only', async () => {
    const org = await orgWithToken(server);
    const member = await registered(server.url, { serial: org.serial });
    expect((await member.client.post(`/api/v1/orgs/${org.orgId}/enrollment-tokens`, { name: 'x', expiresInHours: 1 })).status).toBe(403);
    expect((await member.client.get(`/api/v1/orgs/${org.orgId}/enrollment-tokens`)).status).toBe(403);
  });

  it('enrolls with a valid token: device id, the lease public key and the socket URL', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token, { hostname: 'cad-01' });
    expect(AgentEnrollReply.safeParse(dev.enrollment).success).toBe(true);
    expect(dev.enrollment).toMatchObject({ orgId: org.orgId, orgName: org.name, agentSocketUrl: `${server.url.replace('http', 'ws')}/agent` });
    const keyFile = JSON.parse(await readFile(join(server.dataDir, 'lease-key.json'), 'utf8'));
    expect(dev.enrollment.leasePublicKeyJwk.x).toBe(keyFile.x);
    expect((await stat(join(server.dataDir, 'lease-key.json'))).mode & 0o777).toBe(0o600);
    const device = server.services.store.org(org.orgId)!.devices[dev.deviceId]!;
    expect(device).toMatchObject({ hostname: 'cad-01', publicKey: dev.publicKeyX, revokedAt: null });
    expect(device.machineIdHash).toMatch(/^[0-9a-f]{64}$/);
    const tokens = await org.admin.get(`/api/v1/orgs/${org.orgId}/enrollment-tokens`);
    expect(tokens.body.tokens[0].uses).toBe(1);
  });

  it('never takes over a device: enrolling again with its machine id makes another device (issue 14 §5)', async () => {
    const org = await orgWithToken(server);
    const first = await enrollDevice(server.url, org.token, { machineId: 'machine-A', hostname: 'old-name' });
    const again = await enrollDevice(server.url, org.token, { machineId: 'machine-A', hostname: 'new-name' });
    const other = await enrollDevice(server.url, org.token, { machineId: 'machine-B' });
    expect(again.deviceId).not.toBe(first.deviceId);
    expect(other.deviceId).not.toBe(first.deviceId);
    const d = server.services.store.org(org.orgId)!.devices[first.deviceId]!;
    expect(d).toMatchObject({ hostname: 'old-name', publicKey: first.publicKeyX });
    // Another organization sees a different machine id hash for the same machine.
    const org2 = await orgWithToken(server);
    const elsewhere = await enrollDevice(server.url, org2.token, { machineId: 'machine-A' });
    expect(server.services.store.org(org2.orgId)!.devices[elsewhere.deviceId]!.machineIdHash).not.toBe(d.machineIdHash);
  });

  it.each([
    ['unknown', async () => 'ske_not-a-real-token-at-all'],
    [
      'expired',
      async (org: Awaited<ReturnType<typeof orgWithToken>>) => {
        const t = await org.admin.post(`/api/v1/orgs/${org.orgId}/enrollment-tokens`, { name: 'short', expiresInHours: 1 });
        now += 2 * HOUR;
        return t.body.token as string;
      },
    ],
    [
      'revoked',
      async (org: Awaited<ReturnType<typeof orgWithToken>>) => {
        const t = await org.admin.post(`/api/v1/orgs/${org.orgId}/enrollment-tokens`, { name: 'gone', expiresInHours: 1 });
        const del = await org.admin.del(`/api/v1/orgs/${org.orgId}/enrollment-tokens/${t.body.id}`);
        expect(del.body.status).toBe('revoked');
        return t.body.token as string;
      },
    ],
  ])('refuses an %s token with 401 ENROLLMENT_TOKEN_INVALID', async (_label, tokenFor) => {
    const org = await orgWithToken(server);
    const token = await tokenFor(org);
    const before = Object.keys(server.services.store.org(org.orgId)!.devices).length;
    await expect(enrollDevice(server.url, token)).rejects.toThrow(/401.*ENROLLMENT_TOKEN_INVALID/);
    expect(Object.keys(server.services.store.org(org.orgId)!.devices)).toHaveLength(before);
  });
});

// Device takeover by re-enrolling (issue 14 §5): the machine id is the client's word, readable by
// every local user. Enrolling with a device's machine id must never replace its key or lift its
// revocation; tokens have a use count the admin chooses, and every use is audited.
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrollDevice, orgWithToken, RawAgent } from '../gateway/raw-agent.js';
import { AGENT_ENROLL_PATH } from '../../shared/api/agent-enroll.js';

let server: TestServer;
const agents: RawAgent[] = [];
beforeAll(async () => {
  server = await startTestServer({ heartbeatSeconds: 30 });
});
afterEach(() => {
  for (const a of agents.splice(0)) a.close();
});
afterAll(() => server.stop());

const device = (orgId: string, id: string) => server.services.store.org(orgId)!.devices[id]!;

describe('re-enrolling with another device’s machine id', () => {
  it('makes a new device; the revoked one stays revoked with its old key', async () => {
    const org = await orgWithToken(server);
    const victim = await enrollDevice(server.url, org.token, { machineId: 'shared-machine', hostname: 'victim' });
    expect((await org.admin.post(`/api/v1/orgs/${org.orgId}/devices/${victim.deviceId}/revoke`)).status).toBe(200);
    const keyBefore = device(org.orgId, victim.deviceId).publicKey;
    const attacker = await enrollDevice(server.url, org.token, { machineId: 'shared-machine', hostname: 'attacker' });
    expect(attacker.deviceId).not.toBe(victim.deviceId);
    const v = device(org.orgId, victim.deviceId);
    expect(v.revokedAt).not.toBeNull();
    expect(v.publicKey).toBe(keyBefore);
    expect(v.hostname).toBe('victim');
    // The revoked device's own key still gets only a refusal.
    const a = await RawAgent.connect(server.url);
    agents.push(a);
    const challenge = await a.next('challenge');
    a.send(a.hello(victim, challenge.nonce));
    expect((await a.next('error')).code).toBe('DEVICE_REVOKED');
  });

  it('leaves a live device connected and able to reconnect with its own key', async () => {
    const org = await orgWithToken(server);
    const victim = await enrollDevice(server.url, org.token, { machineId: 'live-machine' });
    const online = await RawAgent.connect(server.url);
    agents.push(online);
    await online.authenticate(victim);
    const second = await enrollDevice(server.url, org.token, { machineId: 'live-machine', hostname: 'second' });
    expect(second.deviceId).not.toBe(victim.deviceId);
    // Nothing was pushed to close the victim's socket; a new connection with its key is welcomed.
    const again = await RawAgent.connect(server.url);
    agents.push(again);
    expect((await again.authenticate(victim)).welcome.deviceId).toBe(victim.deviceId);
    expect(online.ws.readyState).toBe(online.ws.OPEN);
    const audit = await org.admin.get(`/api/v1/orgs/${org.orgId}/audit?action=device.enroll`);
    const enrolled = audit.body.events.find((e: { target: string }) => e.target === second.deviceId);
    expect(enrolled.after.sameMachineAs).toBe(victim.deviceId);
  });
});

describe('enrollment token use count', () => {
  it('enrolls at most maxUses workstations, refuses the next, and audits every use and the refusal', async () => {
    const org = await orgWithToken(server);
    const created = await org.admin.post(`/api/v1/orgs/${org.orgId}/enrollment-tokens`, { name: 'two only', expiresInHours: 1, maxUses: 2 });
    expect(created.status).toBe(201);
    expect(created.body.maxUses).toBe(2);
    const t = created.body.token as string;
    await enrollDevice(server.url, t);
    await enrollDevice(server.url, t);
    await expect(enrollDevice(server.url, t)).rejects.toThrow(/ENROLLMENT_TOKEN_INVALID/);
    const list = await org.admin.get(`/api/v1/orgs/${org.orgId}/enrollment-tokens`);
    expect(list.body.tokens.find((x: { id: string }) => x.id === created.body.id)).toMatchObject({ uses: 2, maxUses: 2, status: 'used-up' });
    const audit = await org.admin.get(`/api/v1/orgs/${org.orgId}/audit`);
    const forToken = audit.body.events.filter((e: { target: string }) => e.target === created.body.id).map((e: { action: string }) => e.action);
    expect(forToken.filter((a: string) => a === 'enrollment-token.use')).toHaveLength(2);
    expect(forToken).toContain('enrollment-token.refused');
  });

  it('refuses an expired token and audits the try; a default use count applies when the admin chooses none', async () => {
    const org = await orgWithToken(server);
    const list = await org.admin.get(`/api/v1/orgs/${org.orgId}/enrollment-tokens`);
    const tok = list.body.tokens[0];
    expect(tok.maxUses).toBe(server.services.config.limits.enrollmentTokenMaxUses);
    await server.services.store.tx((t) => {
      t.org(org.orgId)!.enrollmentTokens[tok.id]!.expiresAt = Date.now() - 1;
    });
    const res = await fetch(server.url + AGENT_ENROLL_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: org.token, publicKey: 'A'.repeat(43), machineId: createHash('sha256').update('x').digest('hex'), hostname: 'late', os: { platform: 'linux', distro: 'T', release: '1', arch: 'x64' }, agentVersion: '0' }),
    });
    expect(res.status).toBe(401);
    const audit = await org.admin.get(`/api/v1/orgs/${org.orgId}/audit?action=enrollment-token.refused`);
    expect(audit.body.events[0]).toMatchObject({ target: tok.id, after: { reason: 'expired', hostname: 'late' } });
  });
});

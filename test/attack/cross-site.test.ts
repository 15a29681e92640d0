// Cross-site request forgery (issue 14 §8): a foreign page riding on an admin's session cookie.
// Replayed as curl did: Origin evil.example, text/plain, and with no body at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../server/http/security-headers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrollDevice, orgWithToken } from '../gateway/raw-agent.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function raw(method: string, path: string, cookie: string | undefined, headers: Record<string, string>, body?: string) {
  const res = await fetch(server.url + path, { method, headers: { ...(cookie ? { cookie } : {}), ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

describe('cookie-authenticated writes from another site', () => {
  it('refuses the revoke a foreign page sends (Origin, text/plain), and the device stays enrolled', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token);
    const path = `/api/v1/orgs/${org.orgId}/devices/${dev.deviceId}/revoke`;
    const forged = await raw('POST', path, org.admin.cookie, { origin: 'https://evil.example', 'content-type': 'text/plain' }, 'x');
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('CROSS_SITE_REQUEST');
    const viaFetchMetadata = await raw('POST', path, org.admin.cookie, { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, '{}');
    expect(viaFetchMetadata.body.error.code).toBe('CROSS_SITE_REQUEST');
    const sameSite = await raw('POST', path, org.admin.cookie, { 'sec-fetch-site': 'same-site', 'content-type': 'application/json' }, '{}');
    expect(sameSite.status).toBe(403);
    expect(server.services.store.org(org.orgId)!.devices[dev.deviceId]!.revokedAt).toBeNull();
  });

  it('refuses a write that is not JSON even without an Origin (a form or a bodyless POST), and sign-out too', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token);
    const path = `/api/v1/orgs/${org.orgId}/devices/${dev.deviceId}/revoke`;
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }, {}] as Array<Record<string, string>>) {
      const r = await raw('POST', path, org.admin.cookie, headers, 'content-type' in headers ? 'x=1' : undefined);
      expect(r.status, JSON.stringify(headers)).toBe(415);
      expect(r.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const signOut = await raw('POST', '/api/v1/auth/sign-out', org.admin.cookie, { origin: 'https://evil.example', 'content-type': 'application/json' }, '{}');
    expect(signOut.status).toBe(403);
    expect((await raw('GET', '/api/v1/me', org.admin.cookie, {})).status).toBe(200);
    expect(server.services.store.org(org.orgId)!.devices[dev.deviceId]!.revokedAt).toBeNull();
  });

  it('accepts the same write from the portal’s own origin', async () => {
    const org = await orgWithToken(server);
    const dev = await enrollDevice(server.url, org.token);
    const r = await raw('POST', `/api/v1/orgs/${org.orgId}/devices/${dev.deviceId}/revoke`, org.admin.cookie, {
      origin: server.url,
      'sec-fetch-site': 'same-origin',
      'content-type': 'application/json',
    }, '{}');
    expect(r.status).toBe(200);
  });

  it('leaves bearer-token scripts alone: no Origin check applies to a credential a page cannot send', async () => {
    const org = await orgWithToken(server);
    const tok = await org.admin.post('/api/v1/me/tokens', { name: 'script' });
    const r = await raw('DELETE', `/api/v1/me/tokens/${tok.body.id}`, undefined, { authorization: `Bearer ${tok.body.token}`, origin: 'https://evil.example' });
    expect(r.status).toBe(200);
  });
});

describe('portal headers', () => {
  it('serves every reply with a CSP that forbids framing, and a Referrer-Policy', async () => {
    for (const path of ['/healthz', '/', '/api/v1/me']) {
      const res = await fetch(server.url + path);
      expect(res.headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });
});

describe('JSON writes without a body', () => {
  it('accepts an empty body sent as application/json (a DELETE from the portal)', async () => {
    const org = await orgWithToken(server);
    const tok = await org.admin.post('/api/v1/me/tokens', { name: 'to delete' });
    const r = await raw('DELETE', `/api/v1/me/tokens/${tok.body.id}`, org.admin.cookie, { 'content-type': 'application/json', origin: server.url });
    expect(r.status).toBe(200);
    const bad = await raw('POST', '/api/v1/auth/sign-in', undefined, { 'content-type': 'application/json' }, '{"__proto__":{"x":1}}');
    expect(bad.status).toBe(400);
  });
});

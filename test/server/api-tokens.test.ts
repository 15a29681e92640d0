// API tokens for scripts: `lastUsedAt` follows their use, written at most once a minute per token
// so a script in a loop does not cost a store write per request.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client, owner } from '../helpers/client.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let now = Date.UTC(2030, 0, 1);
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { clock: () => now });
});
afterAll(() => server.stop());

async function withToken() {
  const org = await seedOrg(server);
  const o = await owner(server.url, org);
  const created = await o.client.post('/api/v1/me/tokens', { name: 'nightly report' });
  expect(created.status).toBe(201);
  const script = new Client(server.url);
  script.bearer = created.body.token;
  const stored = () => Object.values(server.services.store.global().apiTokens).find((t) => t.id === created.body.id)!;
  const listed = async () => (await o.client.get('/api/v1/me/tokens')).body.tokens.find((t: { id: string }) => t.id === created.body.id);
  return { o, org, script, stored, listed, id: created.body.id as string };
}

describe('API token lastUsedAt', () => {
  it('is null until the token is used, then the time of its use', async () => {
    const { script, stored, listed } = await withToken();
    expect((await listed()).lastUsedAt).toBeNull();
    const t0 = now;
    expect((await script.get('/api/v1/me')).status).toBe(200);
    await vi.waitFor(() => expect(stored().lastUsedAt).toBe(t0));
    expect(await listed()).toMatchObject({ name: 'nightly report', lastUsedAt: t0 });
  });

  it('is written at most once a minute however often the token is used', async () => {
    const { o, org, script, stored } = await withToken();
    const t0 = now;
    expect((await script.get('/api/v1/me')).status).toBe(200);
    await vi.waitFor(() => expect(stored().lastUsedAt).toBe(t0));

    now += 30_000;
    const burst = await Promise.all(Array.from({ length: 20 }, () => script.get(`/api/v1/orgs/${org.orgId}/contracts`)));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    // An acknowledged write after the burst: a use recorded during the burst would have landed first.
    expect((await o.client.post('/api/v1/me/tokens', { name: 'another' })).status).toBe(201);
    expect(stored().lastUsedAt).toBe(t0);

    now += 31_000;
    expect((await script.get('/api/v1/me')).status).toBe(200);
    await vi.waitFor(() => expect(stored().lastUsedAt).toBe(t0 + 61_000));
  });

  it('is not touched by a session, by a revoked token, or by a bearer token that names nothing', async () => {
    const { o, script, stored, id } = await withToken();
    expect((await o.client.get('/api/v1/me')).status).toBe(200);
    expect((await o.client.post('/api/v1/me/tokens', { name: 'flush' })).status).toBe(201);
    expect(stored().lastUsedAt).toBeNull();
    expect((await o.client.del(`/api/v1/me/tokens/${id}`)).status).toBe(200);
    now += 120_000;
    expect((await script.get('/api/v1/me')).status).toBe(401);
    const stranger = new Client(server.url);
    stranger.bearer = 'skt_not-a-token-of-this-server';
    expect((await stranger.get('/api/v1/me')).status).toBe(401);
    expect(Object.values(server.services.store.global().apiTokens).find((t) => t.id === id)).toBeUndefined();
  });
});

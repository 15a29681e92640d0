// Every HTTP route, generated from the route table, receives generated and malformed input as a
// signed-in owner: never a 5xx, always the documented error shape.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, owner } from '../helpers/client.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: Client;
let orgId: string;

beforeAll(async () => {
  server = await startTestServer();
  const org = await seedOrg(server);
  orgId = org.orgId;
  admin = (await owner(server.url, org)).client;
});
afterAll(() => server.stop());

const nasty = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.string({ maxLength: 2000 }),
  fc.constantFrom('', 'null', '[]', '{}', '{"a":', '\u0000', '"x"', '1e309', '{"__proto__":{"admin":true}}'),
  fc.dictionary(fc.constantFrom('email', 'name', 'role', 'lineId', 'accountId', 'seats', 'to', 'token', 'userCode', 'serial'), fc.anything({ maxDepth: 2 })),
);

function fill(url: string, id: string): string {
  return url.replace(':orgId', orgId).replace(/:[A-Za-z]+/g, id);
}

function expectErrorShape(status: number, body: any, where: string) {
  expect(status, where).toBeLessThan(500);
  if (status >= 400) {
    expect(typeof body?.error?.code, `${where}: ${JSON.stringify(body)}`).toBe('string');
    expect(typeof body?.error?.message, where).toBe('string');
  }
}

describe('HTTP fuzz', () => {
  it('answers generated bodies on every route with < 500 and the error shape', async () => {
    const routes = server.routes;
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) {
      if (r.url === '/api/v1/auth/sign-out' || r.url.endsWith('/me/tokens/:tokenId')) continue; // would end the fuzzing session itself
      await fc.assert(
        fc.asyncProperty(nasty, fc.constantFrom('x', 'org_nope', '../../etc', 'a'.repeat(65), '%00'), async (body, id) => {
          const path = fill(r.url, encodeURIComponent(id));
          const raw = typeof body === 'string' ? body : JSON.stringify(body) ?? 'null';
          const res = await admin.req(r.method, path, r.method === 'GET' || r.method === 'DELETE' ? undefined : raw);
          expectErrorShape(res.status, res.body, `${r.method} ${path} ${raw.slice(0, 80)}`);
        }),
        { numRuns: 12 },
      );
    }
  });

  it('survives deep nesting, huge strings and wrong content types', async () => {
    const cases: Array<[string, string, Record<string, string>]> = [
      ['deep array', '['.repeat(30000) + ']'.repeat(30000), {}],
      ['deep object', '{"a":'.repeat(8000) + '1' + '}'.repeat(8000), {}],
      ['huge string', JSON.stringify({ name: 'x'.repeat(60000) }), {}],
      ['text/plain', 'hello', { 'content-type': 'text/plain' }],
      ['form', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' }],
    ];
    for (const r of server.routes.filter((x) => x.hasBody)) {
      for (const [label, raw, headers] of cases) {
        const res = await admin.req(r.method, fill(r.url, 'x'), raw, headers);
        expectErrorShape(res.status, res.body, `${label} → ${r.method} ${r.url}`);
      }
    }
  });
});

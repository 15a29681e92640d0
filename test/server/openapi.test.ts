// The OpenAPI document: valid OpenAPI 3.1, one operation per route of the server's table and of
// the README's API table, and a readable reference page.
import { readFile } from 'node:fs/promises';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApi, openApiPath } from '../../server/http/openapi.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let doc: any;

beforeAll(async () => {
  server = await startTestServer();
  const r = await new Client(server.url).get('/api/v1/openapi.json');
  expect(r.status).toBe(200);
  doc = r.body;
});
afterAll(() => server?.stop());

const operations = (d: any) => Object.entries(d.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));

describe('OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    const v = new Validator();
    const res = await v.validate(structuredClone(doc));
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(v.version).toBe('3.1');
  });

  it('has one operation for every route of the server and nothing else', () => {
    const expected = server.routes.map((r) => `${r.method} ${openApiPath(r.url)}`).sort();
    expect(operations(doc).sort()).toEqual(expected);
    const ids = operations(doc).map((o) => {
      const [m, p] = o.split(' ');
      return doc.paths[p!][m!.toLowerCase()].operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('fails the check when a route is missing from the document', () => {
    const partial = buildOpenApi(server.routes.slice(1), { version: 'x' });
    const expected = server.routes.map((r) => `${r.method} ${openApiPath(r.url)}`);
    expect(expected.filter((o) => !operations(partial).includes(o))).toEqual([`${server.routes[0]!.method} ${openApiPath(server.routes[0]!.url)}`]);
  });

  it("lists every route of the README's API table", async () => {
    const readme = await readFile('README.md', 'utf8');
    const section = readme.split('<!-- api:start -->')[1]!.split('<!-- api:end -->')[0]!;
    const rows = [...section.matchAll(/^\| `([A-Z]+)` \| `([^`]+)` \|/gm)].map((m) => `${m[1]} ${openApiPath(m[2]!)}`);
    expect(rows.length).toBeGreaterThan(40);
    const ops = new Set(operations(doc));
    expect(rows.filter((r) => !ops.has(r))).toEqual([]);
  });

  it('describes bodies, query strings and path parameters from the route schemas', () => {
    const assign = doc.paths['/api/v1/orgs/{orgId}/assignments'].post;
    expect(assign.requestBody.content['application/json'].schema.properties).toHaveProperty('lineId');
    expect(Object.keys(assign.responses)).toContain('201');
    expect(assign.parameters.map((p: any) => p.name)).toEqual(['orgId']);
    const usage = doc.paths['/api/v1/orgs/{orgId}/usage'].get;
    expect(usage.parameters.find((p: any) => p.name === 'hours')).toMatchObject({ in: 'query', required: false });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves a readable reference page with no script and nothing from elsewhere', async () => {
    const r = await new Client(server.url).get('/api/v1/docs');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    // The page needs no script: whatever policy the server sets must not allow one from elsewhere.
    expect(r.headers.get('content-security-policy')).toMatch(/default-src '(none|self)'/);
    const html = r.body as string;
    expect(html).not.toMatch(/<script|https?:\/\/(?!json-schema)/i);
    for (const rt of server.routes) expect(html).toContain(`<code>${openApiPath(rt.url)}</code>`);
  });
});

// Ids that name a member of every plain object (`__proto__`, `constructor`, `toString`…) pass an
// id's pattern, but looked up in a record keyed by id they reach Object.prototype, and a write
// through one changes every object in the server. Generated from the route table: every route
// answers them 404 like an id that does not exist, bodies refuse them, nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let org: Awaited<ReturnType<typeof ownedOrg>>;
beforeAll(async () => {
  server = await startTestServer();
  org = await ownedOrg(server);
});
afterAll(() => server.stop());

const RESERVED = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
/** Bodies that pass validation on the routes that rename or change a role, so a route that took the id would write through it. */
const BODIES = [{ name: 'polluted' }, { role: 'admin' }];

const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort();

describe('ids that name Object.prototype members', () => {
  it('answer 404 NOT_FOUND on every route with an id parameter, and change nothing', async () => {
    const clean = prototypeNames();
    const before = JSON.stringify(server.services.store.org(org.org.orgId));
    const wrong: string[] = [];
    const routes = server.routes.filter((r) => [...r.url.matchAll(/:([A-Za-z]+)/g)].some((m) => m[1] !== 'orgId'));
    expect(routes.length).toBeGreaterThan(15);
    for (const r of routes) {
      for (const name of RESERVED) {
        const path = r.url.replace(':orgId', org.org.orgId).replace(/:[A-Za-z]+/g, name);
        for (const body of r.hasBody ? BODIES : [undefined]) {
          const reply = await org.o.client.req(r.method, path, body);
          if (reply.status !== 404 || reply.body?.error?.code !== 'NOT_FOUND') wrong.push(`${r.method} ${path} ${JSON.stringify(body)} → ${reply.status} ${JSON.stringify(reply.body)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(prototypeNames()).toEqual(clean);
    expect(({} as Record<string, unknown>).name).toBeUndefined();
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    expect(JSON.stringify(server.services.store.org(org.org.orgId))).toBe(before);
  });

  it.each([
    ['an assignment to', 'POST', 'assignments', (name: string) => ({ lineId: org.org.line('SW-PREMIUM').id, accountId: name })],
    ['an invitation into team', 'POST', 'invitations', (name: string) => ({ email: 'x@acme.test', role: 'member', teamId: name })],
    ['an assignment list filtered by', 'GET', `assignments?accountId=`, undefined],
  ] as const)('are refused as ids in bodies and queries: %s one', async (_label, method, what, body) => {
    for (const name of RESERVED) {
      const path = `${org.base}/${what}${body ? '' : name}`;
      const reply = await org.o.client.req(method, path, body?.(name));
      expect(reply.status, `${method} ${path}`).toBe(400);
      expect(reply.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(Object.keys(server.services.store.org(org.org.orgId)!.assignments)).toEqual([]);
  });
});

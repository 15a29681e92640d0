// Every HTTP route, generated from the route table, receives generated and malformed input as a
// signed-in owner, in its path, body and query string, with real ids of the organization among the
// garbage: never a 5xx, always the documented error shape with a code from shared/errors.ts.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '../../shared/errors.js';
import { Client, owner, registered } from '../helpers/client.js';
import { addTeam } from '../helpers/fixtures.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: Client;
let orgId: string;
/** real ids of the organization, by path parameter name */
const real = new Map<string, string>();

beforeAll(async () => {
  server = await startTestServer();
  const org = await seedOrg(server);
  orgId = org.orgId;
  const own = await owner(server.url, org);
  admin = own.client;
  const member = await registered(server.url, { serial: org.serial });
  const base = `/api/v1/orgs/${orgId}`;
  const asg = await admin.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: member.accountId });
  if (asg.status !== 201) throw new Error(`assignment: ${asg.status} ${JSON.stringify(asg.body)}`);
  const enr = await admin.post(`${base}/enrollment-tokens`, { name: 'fuzz', expiresInHours: 1 });
  const inv = await admin.post(`${base}/invitations`, { email: `fuzz-invite-${process.pid}@acme.test`, role: 'member' });
  real.set('orgId', orgId);
  real.set('contractId', org.contract.id);
  real.set('lineId', org.line('SW-PREMIUM').id);
  real.set('accountId', member.accountId);
  real.set('assignmentId', asg.body.id);
  real.set('teamId', await addTeam(server, orgId, { memberIds: [member.accountId], adminIds: [own.accountId] }));
  real.set('tokenId', enr.body.id);
  real.set('invitationId', inv.body.id);
  real.set('ownerId', own.accountId);
});
afterAll(() => server.stop());

const nasty = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.string({ maxLength: 2000 }),
  fc.constantFrom('', 'null', '[]', '{}', '{"a":', '\u0000', '"x"', '1e309', '{"__proto__":{"admin":true}}'),
  fc.dictionary(fc.constantFrom('email', 'name', 'role', 'lineId', 'accountId', 'seats', 'to', 'token', 'userCode', 'serial'), fc.anything({ maxDepth: 2 })),
);

const garbageIds = ['x', 'org_nope', '../../etc', 'a'.repeat(65), '%00', '__proto__', 'constructor'];
/** An id for one path parameter: garbage, the organization's real id for that parameter, or a real id of another kind. */
const idChoice = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...garbageIds).map((g) => ({ kind: 'garbage' as const, g })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'own' as const }) },
  { weight: 1, arbitrary: fc.nat().map((k) => ({ kind: 'other' as const, k })) },
);
type IdChoice = { kind: 'garbage'; g: string } | { kind: 'own' } | { kind: 'other'; k: number };

function fill(url: string, choices: IdChoice[]): string {
  let i = 0;
  const all = [...real.values()];
  return url.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const c = choices[i++ % choices.length]!;
    const own = real.get(name) ?? real.get('accountId')!;
    // The real organization more often than not, so most calls get past the organization check.
    if (name === 'orgId' && c.kind === 'garbage' && c.g.length % 2 === 0) return orgId;
    const v = c.kind === 'garbage' ? c.g : c.kind === 'own' ? own : all[c.k % all.length]!;
    return encodeURIComponent(v);
  });
}

/** Query strings: the keys the routes read and others, with real ids, garbage, repeats and broken escapes. */
const queryKeys = fc.constantFrom('lineId', 'accountId', 'productCode', 'teamId', 'from', 'to', 'actor', 'target', 'action', 'limit', 'q', 'role', 'hours', '__proto__', 'constructor', 'x');
const queryValue = fc.oneof(
  fc.constantFrom('', '0', '-1', '1e309', 'NaN', 'null', 'true', '[]', '{}', '2026-13-45T99:99', 'owner', 'SW-PREMIUM', '__proto__'),
  fc.constant(null).map(() => [...real.values()][0]!),
  fc.nat().map((k) => [...real.values()][k % real.size]!),
  fc.string({ maxLength: 300 }),
  fc.string({ minLength: 2000, maxLength: 3000 }),
  fc.integer({ min: -1e12, max: 1e12 }).map(String),
);
/** Kept under Node's 16 KiB limit for the request head, which answers before any route is reached. */
const MAX_QUERY = 12_000;
const queryString = fc
  .oneof(
    { weight: 4, arbitrary: fc.array(fc.tuple(queryKeys, queryValue), { maxLength: 6 }).map((pairs) => new URLSearchParams(pairs).toString()) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '&&&', '==', 'a[b]=1&a[c]=2', 'limit=1&limit=2', 'q=%00', '__proto__[admin]=1', 'a=' + '%41'.repeat(2000)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 400 }).map(encodeURI) },
  )
  .map((q) => q.slice(0, MAX_QUERY));

const documented = new Set(Object.keys(errorCodes));

function expectErrorShape(status: number, body: any, where: string) {
  expect(status, where).toBeLessThan(500);
  if (status >= 400) {
    const code = body?.error?.code;
    expect(typeof code, `${where}: ${JSON.stringify(body)}`).toBe('string');
    expect(typeof body?.error?.message, where).toBe('string');
    expect(documented.has(code), `${where}: undocumented code ${code}`).toBe(true);
    expect(status, `${where}: ${code}`).toBe(errorCodes[code as keyof typeof errorCodes].status);
  }
}

/** Routes whose success would end the fuzzing session itself. */
const skipped = (url: string) => url === '/api/v1/auth/sign-out' || url.endsWith('/me/tokens/:tokenId');

describe('HTTP fuzz', () => {
  it('knows the organization ids it mixes into the garbage', () => {
    expect(real.size).toBeGreaterThanOrEqual(8);
    for (const [name, id] of real) expect(id, name).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('answers generated bodies and path ids on every route with < 500 and a documented error', async () => {
    const routes = server.routes;
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) {
      if (skipped(r.url)) continue;
      await fc.assert(
        fc.asyncProperty(nasty, fc.array(idChoice, { minLength: 1, maxLength: 3 }), async (body, ids) => {
          const path = fill(r.url, ids);
          const raw = typeof body === 'string' ? body : JSON.stringify(body) ?? 'null';
          const res = await admin.req(r.method, path, r.method === 'GET' || r.method === 'DELETE' ? undefined : raw);
          expectErrorShape(res.status, res.body, `${r.method} ${path} ${raw.slice(0, 80)}`);
        }),
        { numRuns: 12 },
      );
    }
  });

  it('answers generated query strings on every route with < 500 and a documented error', async () => {
    let validationFailures = 0;
    for (const r of server.routes) {
      if (skipped(r.url)) continue;
      await fc.assert(
        fc.asyncProperty(queryString, fc.array(idChoice, { minLength: 1, maxLength: 3 }), async (qs, ids) => {
          const path = `${fill(r.url, ids)}?${qs}`;
          const res = await admin.req(r.method, path, r.method === 'GET' || r.method === 'DELETE' ? undefined : {});
          expectErrorShape(res.status, res.body, `${r.method} ${path.slice(0, 200)}`);
          if (res.body?.error?.code === 'VALIDATION_FAILED' && /^query/.test(res.body.error.message)) validationFailures++;
        }),
        // A counterexample as found: shrinking thousands of characters one request at a time outlasts the test.
        { numRuns: 10, endOnFailure: true },
      );
    }
    // The query schemas were reached, not only path lookups.
    expect(validationFailures).toBeGreaterThan(5);
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
        const res = await admin.req(r.method, fill(r.url, [{ kind: 'own' }]), raw, headers);
        expectErrorShape(res.status, res.body, `${label} → ${r.method} ${r.url}`);
      }
    }
  });
});

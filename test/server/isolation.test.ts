// Organization isolation, generated from the route table so a route added later is covered
// without anyone remembering to add it here. Org B's owner, holding every id of org A, gets
// exactly what a nonexistent id gets (404 NOT_FOUND, never 403), and org A's data is unchanged.
// The same holds for org A's ids in the request body of org B's own routes.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInfo } from '../../server/http/router.js';
import { hashSecret } from '../../server/core/ids.js';
import { Client, owner, registered, uniqueEmail, type Reply } from '../helpers/client.js';
import { addTeam } from '../helpers/fixtures.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let a: Awaited<ReturnType<typeof seedOrg>>;
let b: Awaited<ReturnType<typeof seedOrg>>;
let ownerA: Awaited<ReturnType<typeof owner>>;
let ownerB: Awaited<ReturnType<typeof owner>>;
type Ids = Map<string, string>;
/** param value per "collection/param", then per param name, for each organization */
let idsOfA: Ids;
let idsOfB: Ids;

const MISSING = 'zz_nonexistent_0';
const DAY = 86_400_000;

/** Bodies the generic discovery below cannot guess (cross-field rules); keyed "METHOD url". */
const SAMPLE_BODIES: Record<string, Record<string, unknown>> = {
  'PATCH /api/v1/orgs/:orgId/contracts/:contractId': { endsAt: Date.now() + 30 * DAY },
};

/** Gives the organization one object of every kind and returns their ids by parameter. */
async function populate(org: Awaited<ReturnType<typeof seedOrg>>, own: Awaited<ReturnType<typeof owner>>): Promise<Ids> {
  const s = server.services;
  const member = await registered(server.url, { serial: org.serial });
  const base = `/api/v1/orgs/${org.orgId}`;
  const asg = await own.client.post(`${base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: member.accountId });
  expect(asg.status).toBe(201);
  const apiToken = (await own.client.post('/api/v1/me/tokens', { name: 'a-script' })).body.id as string;
  const teamId = await addTeam(server, org.orgId, { memberIds: [member.accountId], adminIds: [own.accountId], contractIds: [org.contract.id] });

  // Objects other people's routes manage, written straight into the document so their ids are real.
  const now = s.clock();
  const ids = { inv: s.ids('inv'), dev: s.ids('dev'), enr: s.ids('enr'), sw: s.ids('sw'), jti: s.ids('jti') };
  await s.store.tx((t) => {
    const doc = t.org(org.orgId)!;
    doc.invitations[ids.inv] = {
      id: ids.inv,
      email: uniqueEmail('invited'),
      role: 'member',
      lineIds: [],
      teamId: null,
      tokenHash: hashSecret(`inv-secret-${ids.inv}`),
      createdBy: own.accountId,
      createdAt: now,
      sentAt: now,
      expiresAt: now + DAY,
      status: 'pending',
      acceptedBy: null,
    };
    doc.devices[ids.dev] = {
      id: ids.dev,
      machineIdHash: 'x'.repeat(64),
      hostname: 'ws-01',
      os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64' },
      agentVersion: '0.1.0',
      publicKey: 'A'.repeat(43),
      enrolledAt: now,
      enrolledWith: ids.enr,
      lastSeenAt: null,
      signedInAccountId: member.accountId,
      inventory: [],
      inventoryHash: null,
      revokedAt: null,
    };
    doc.enrollmentTokens[ids.enr] = {
      id: ids.enr,
      name: 'floor 1',
      tokenHash: hashSecret(`enr-secret-${ids.enr}`),
      createdBy: own.accountId,
      createdAt: now,
      expiresAt: now + DAY,
      revokedAt: null,
      uses: 1,
    };
    doc.switches[ids.sw] = {
      id: ids.sw,
      lineId: org.line('ACAD').id,
      from: 'serial',
      to: 'named-user',
      autoAssign: true,
      runAt: now + DAY,
      status: 'scheduled',
      createdBy: own.accountId,
      createdAt: now,
      appliedAt: null,
    };
    doc.leases[ids.jti] = {
      jti: ids.jti,
      deviceId: ids.dev,
      subject: member.accountId,
      productCode: 'SW-PREMIUM',
      method: 'named-user',
      lineId: org.line('SW-PREMIUM').id,
      issuedAt: now,
      expiresAt: now + DAY,
      status: 'active',
      revokedAt: null,
      revokeReason: null,
    };
  });

  const out: Ids = new Map();
  const set = (keys: string[], v: string) => keys.forEach((k) => out.set(k, v));
  set(['orgId'], org.orgId);
  set(['contracts/contractId', 'contractId'], org.contract.id);
  set(['lines/lineId', 'lineId'], org.line('SW-PREMIUM').id);
  set(['assignments/assignmentId', 'assignmentId'], asg.body.id);
  set(['members/accountId', 'admins/accountId', 'accountId', 'memberId', 'userId'], member.accountId);
  set(['teams/teamId', 'teamId'], teamId);
  set(['invitations/invitationId', 'invitationId'], ids.inv);
  set(['devices/deviceId', 'deviceId'], ids.dev);
  set(['enrollment-tokens/tokenId', 'enrollmentTokenId'], ids.enr);
  set(['switches/switchId', 'switchId'], ids.sw);
  set(['leases/jti', 'leases/leaseId', 'leaseId', 'jti'], ids.jti);
  set(['tokens/tokenId', 'tokenId'], apiToken);
  return out;
}

beforeAll(async () => {
  server = await startTestServer();
  a = await seedOrg(server);
  b = await seedOrg(server);
  ownerA = await owner(server.url, a);
  ownerB = await owner(server.url, b);
  idsOfA = await populate(a, ownerA);
  idsOfB = await populate(b, ownerB);
});
afterAll(() => server.stop());

const paramsOf = (url: string) => [...url.matchAll(/\/([^/]+)\/:([A-Za-z]+)/g)].map((m) => ({ collection: m[1]!, name: m[2]! }));

/** An organization's id for a parameter: by the collection before it, then by name, then from its document. */
function idIn(ids: Ids, orgId: string, collection: string, name: string): string {
  const known = ids.get(`${collection}/${name}`) ?? ids.get(name);
  if (known) return known;
  const key = collection.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const coll = (server.services.store.org(orgId) as unknown as Record<string, unknown>)[key];
  if (coll && typeof coll === 'object' && !Array.isArray(coll)) {
    const first = Object.keys(coll)[0];
    if (first) return first;
  }
  return MISSING;
}

const idFor = (collection: string, name: string) => idIn(idsOfA, a.orgId, collection, name);
const idOfB = (collection: string, name: string) => idIn(idsOfB, b.orgId, collection, name);

function fill(url: string, orgId: string | undefined, pick: (collection: string, name: string) => string): string {
  return url.replace(/\/([^/]+)\/:([A-Za-z]+)/g, (_, collection: string, name: string) => `/${collection}/${name === 'orgId' && orgId ? orgId : pick(collection, name)}`);
}

/** A value that satisfies a field the validator asked for: org A's ids (or `id`'s) for ids, else a plain sample. */
function guess(field: string, message: string, id: (collection: string, name: string) => string = idFor): unknown {
  if (/Id$/.test(field)) return id('', field);
  if (/Ids$/.test(field)) return [id('', field.replace(/s$/, ''))];
  const named: Record<string, unknown> = {
    email: uniqueEmail('iso'),
    name: 'Isolation sample',
    seats: 1,
    role: 'member',
    method: 'named-user',
    productCode: 'ACAD',
    endsAt: Date.now() + 30 * DAY,
    startsAt: Date.now() - DAY,
    serial: `ISO-${process.pid}`,
  };
  if (field in named) return named[field];
  const one = /expected one of "([^"]+)"/.exec(message);
  if (one) return one[1];
  if (/expected number/.test(message)) return 1;
  if (/expected boolean/.test(message)) return true;
  if (/expected array/.test(message)) return [];
  if (/expected object|expected record/.test(message)) return {};
  return 'sample';
}

/** Calls the route; for a body route, fills the fields validation asks for until the body passes. */
async function call(c: Client, route: RouteInfo, path: string): Promise<{ reply: Reply; body: unknown }> {
  const body: Record<string, unknown> = structuredClone(SAMPLE_BODIES[`${route.method} ${route.url}`] ?? {});
  for (let round = 0; ; round++) {
    const reply = await c.req(route.method, path, route.hasBody ? body : undefined);
    if (!route.hasBody || reply.status !== 400 || reply.body?.error?.code !== 'VALIDATION_FAILED' || round >= 8) return { reply, body };
    let progressed = false;
    for (const part of String(reply.body.error.message).split('; ')) {
      const m = /^body\.([A-Za-z0-9_]+): (.*)$/.exec(part);
      if (!m || m[1]! in body) continue;
      body[m[1]!] = guess(m[1]!, m[2]!);
      progressed = true;
    }
    if (!progressed) return { reply, body };
  }
}

/** Body fields that name an object: the id keys of every schema in shared/api, so a field added later is probed too. */
async function idFieldNames(): Promise<string[]> {
  const dir = new URL('../../shared/api/', import.meta.url);
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    const mod = (await import(new URL(file, dir).href)) as Record<string, unknown>;
    for (const schema of Object.values(mod)) {
      const shape = (schema as { shape?: unknown } | null)?.shape;
      if (shape && typeof shape === 'object') for (const k of Object.keys(shape)) if (/(Id|Ids)$/.test(k) || k === 'jti') names.add(k);
    }
  }
  return [...names].sort();
}

const PROBE = 'zzIsolationProbe';
const unknownKey = (reply: Reply, field: string) =>
  reply.status === 400 && reply.body?.error?.code === 'VALIDATION_FAILED' && new RegExp(`Unrecognized keys?: [^;]*"${field}"`).test(String(reply.body.error.message));

/**
 * The fields a body route requires, filled with org B's ids and samples. An unknown key rides
 * along, so the strict schema refuses every discovery request and none of them changes anything.
 */
async function requiredBody(route: RouteInfo, path: string): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = { ...structuredClone(SAMPLE_BODIES[`${route.method} ${route.url}`] ?? {}), [PROBE]: 1 };
  for (let round = 0; round < 8; round++) {
    const reply = await ownerB.client.req(route.method, path, body);
    if (!unknownKey(reply, PROBE)) throw new Error(`${route.method} ${path} accepted an unknown key: ${reply.status} ${JSON.stringify(reply.body)}`);
    let progressed = false;
    for (const part of String(reply.body.error.message).split('; ')) {
      const m = /^body\.([A-Za-z0-9_]+): (.*)$/.exec(part);
      if (!m || m[1]! in body) continue;
      body[m[1]!] = guess(m[1]!, m[2]!, idOfB);
      progressed = true;
    }
    if (!progressed) break;
  }
  delete body[PROBE];
  return body;
}

/** What a route could change in an org; the leader's jobs (usage samples, switch reminders) write the rest on their own clock. */
function routeState(orgId: string) {
  const { usage: _usage, usageDays: _days, switches, ...doc } = server.services.store.org(orgId)! as ReturnType<typeof server.services.store.org> & { usageDays?: unknown };
  const sw = Object.fromEntries(Object.entries(switches).map(([id, { remindedAt: _r, warned: _w, ...rest }]) => [id, rest]));
  return { ...doc, switches: sw };
}

function snapshot(orgId: string, ownerId: string): string {
  const g = server.services.store.global();
  return JSON.stringify({
    doc: routeState(orgId),
    tokens: Object.values(g.apiTokens).filter((t) => t.accountId === ownerId),
    accounts: Object.keys(server.services.store.org(orgId)!.members).map((id) => g.accounts[id]),
    serials: Object.entries(g.serials).filter(([, o]) => o === orgId),
  });
}
const snapshotA = () => snapshot(a.orgId, ownerA.accountId);
const snapshotB = () => snapshot(b.orgId, ownerB.accountId);

// Operator routes are no organization's: test/server/operator.test.ts proves strangers get 404 there.
const scoped = () => server.routes.filter((r) => r.access !== 'operator' && paramsOf(r.url).some((p) => p.name === 'orgId' || /Id$/.test(p.name)));
const describeCall = (r: RouteInfo, path: string, reply: Reply, body: unknown) => `${r.method} ${path} body=${JSON.stringify(body)} → ${reply.status} ${JSON.stringify(reply.body)}`;
const normalized = (reply: Reply, id: string) => ({
  status: reply.status,
  code: reply.body?.error?.code,
  message: String(reply.body?.error?.message ?? '').split(id).join('<id>'),
});

describe('organization isolation', () => {
  it('covers every organization-scoped route of the table, including the ones added later', () => {
    const urls = scoped().map((r) => `${r.method} ${r.url}`);
    expect(urls).toContain('POST /api/v1/orgs/:orgId/assignments/:assignmentId/reassign');
    expect(urls).toContain('PATCH /api/v1/orgs/:orgId/contracts/:contractId/lines/:lineId');
    expect(urls).toContain('GET /api/v1/orgs/:orgId/audit');
    expect(urls.length).toBeGreaterThanOrEqual(12);
  });

  it("answers org B's owner 404 NOT_FOUND on every route called with org A's organization id", async () => {
    const before = snapshotA();
    const wrong: string[] = [];
    for (const r of scoped().filter((x) => x.url.includes(':orgId'))) {
      const path = fill(r.url, a.orgId, idFor);
      const { reply, body } = await call(ownerB.client, r, path);
      if (reply.status !== 404 || reply.body?.error?.code !== 'NOT_FOUND') wrong.push(describeCall(r, path, reply, body));
    }
    expect(wrong).toEqual([]);
    expect(snapshotA()).toBe(before);
  });

  it("answers org B's owner in their own organization with org A's object ids exactly as for ids that do not exist", async () => {
    const before = snapshotA();
    const wrong: string[] = [];
    const routes = scoped().filter((r) => paramsOf(r.url).some((p) => p.name !== 'orgId'));
    expect(routes.length).toBeGreaterThan(5);
    for (const r of routes) {
      const path = fill(r.url, b.orgId, idFor);
      const { reply, body } = await call(ownerB.client, r, path);
      const missingPath = fill(r.url, b.orgId, () => MISSING);
      const missing = await ownerB.client.req(r.method, missingPath, r.hasBody ? body : undefined);
      if (reply.status !== 404 || reply.body?.error?.code !== 'NOT_FOUND') {
        wrong.push(`${describeCall(r, path, reply, body)} (add a sample body to SAMPLE_BODIES if validation is the cause)`);
        continue;
      }
      const usedIds = paramsOf(r.url).filter((p) => p.name !== 'orgId').map((p) => idFor(p.collection, p.name));
      const norm = (x: Reply, ids: string[]) => ids.reduce((n, id) => ({ ...n, message: n.message.split(id).join('<id>') }), normalized(x, MISSING));
      expect(norm(reply, usedIds), `${r.method} ${r.url}`).toEqual(norm(missing, [MISSING]));
    }
    expect(wrong).toEqual([]);
    expect(snapshotA()).toBe(before);
  });

  it("answers 404 when just one of several ids belongs to org A and the others are org B's own", async () => {
    const before = [snapshotA(), snapshotB()];
    const wrong: string[] = [];
    let checked = 0;
    for (const r of scoped()) {
      const params = paramsOf(r.url).filter((p) => p.name !== 'orgId');
      if (params.length < 2) continue;
      for (const foreign of params) {
        const pick = (value: (c: string, n: string) => string) => (c: string, n: string) =>
          c === foreign.collection && n === foreign.name ? value(c, n) : idOfB(c, n);
        const path = fill(r.url, b.orgId, pick(idFor));
        const { reply, body } = await call(ownerB.client, r, path);
        checked++;
        if (reply.status !== 404 || reply.body?.error?.code !== 'NOT_FOUND') {
          wrong.push(`${describeCall(r, path, reply, body)} (foreign: ${foreign.name})`);
          continue;
        }
        const missing = await ownerB.client.req(r.method, fill(r.url, b.orgId, pick(() => MISSING)), r.hasBody ? body : undefined);
        const used = idFor(foreign.collection, foreign.name);
        expect(normalized(reply, used), `${r.method} ${r.url} (foreign: ${foreign.name})`).toEqual(normalized(missing, MISSING));
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
    expect([snapshotA(), snapshotB()]).toEqual(before);
  });

  it("answers 404 (or 400) when org B's own route carries one of org A's ids in its body, and changes nothing", async () => {
    const fields = await idFieldNames();
    expect(fields).toEqual(expect.arrayContaining(['accountId', 'lineId', 'lineIds', 'teamId']));
    const beforeA = snapshotA();
    const wrong: string[] = [];
    const covered: string[] = [];
    for (const r of scoped().filter((x) => x.hasBody)) {
      const path = fill(r.url, b.orgId, idOfB);
      const base = await requiredBody(r, path);
      for (const field of fields) {
        const one = field.endsWith('Ids') ? field.slice(0, -1) : field;
        const [own, foreign] = [idOfB('', one), idFor('', one)];
        if (own === MISSING || foreign === MISSING) continue;
        // In a list, org A's id goes beside one of org B's own.
        const body = { ...base, [field]: field.endsWith('Ids') ? [own, foreign] : foreign };
        const beforeB = snapshotB();
        const reply = await ownerB.client.req(r.method, path, body);
        if (unknownKey(reply, field)) continue; // not a field of this route
        covered.push(`${r.method} ${r.url} ${field}`);
        if (reply.status !== 404 && reply.status !== 400) wrong.push(describeCall(r, path, reply, body));
        if (snapshotB() !== beforeB) wrong.push(`${r.method} ${path} body=${JSON.stringify(body)} changed org B`);
        // With org B's own id in that field the route gets past its lookups, so the 404 above was the foreign id's.
        const control = await ownerB.client.req(r.method, path, { ...body, [field]: field.endsWith('Ids') ? [own] : own });
        if (control.status === 404 || control.body?.error?.code === 'VALIDATION_FAILED') {
          wrong.push(`control with org B's own ${field}: ${describeCall(r, path, control, { ...body, [field]: own })} (the case above proves nothing)`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(covered).toEqual(
      expect.arrayContaining([
        'POST /api/v1/orgs/:orgId/assignments lineId',
        'POST /api/v1/orgs/:orgId/assignments accountId',
        'POST /api/v1/orgs/:orgId/assignments/:assignmentId/reassign accountId',
        'POST /api/v1/orgs/:orgId/invitations lineIds',
        'POST /api/v1/orgs/:orgId/invitations teamId',
      ]),
    );
    expect(snapshotA()).toBe(beforeA);
  });

  it('answers 401 without credentials on every organization-scoped route', async () => {
    const anonymous = new Client(server.url);
    const wrong: string[] = [];
    for (const r of scoped().filter((x) => x.access !== 'public')) {
      const path = fill(r.url, a.orgId, idFor);
      const reply = await anonymous.req(r.method, path, r.hasBody ? {} : undefined);
      if (reply.status !== 401 || reply.body?.error?.code !== 'UNAUTHENTICATED') wrong.push(describeCall(r, path, reply, {}));
    }
    expect(wrong).toEqual([]);
  });

  it('still lets org A act on its own ids (the ids used above are real)', async () => {
    const base = `/api/v1/orgs/${a.orgId}`;
    expect((await ownerA.client.get(`${base}/contracts/${a.contract.id}`)).status).toBe(200);
    expect((await ownerA.client.get(`${base}/assignments?accountId=${idFor('members', 'accountId')}`)).body.assignments).toHaveLength(1);
    const tokenId = idFor('tokens', 'tokenId');
    expect(Object.values(server.services.store.global().apiTokens).some((x) => x.id === tokenId)).toBe(true);
  });
});

// A write the disk refuses answers 503 STORAGE_UNAVAILABLE, changes nothing, and the next
// request after the disk comes back succeeds.
import { readStoredDoc } from '../../server/store/lowdb-store.js';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { owner } from '../helpers/client.js';
import { addMembers } from '../helpers/fixtures.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('storage failure over HTTP', () => {
  it('answers 503 STORAGE_UNAVAILABLE for assignments that cannot be saved, then recovers', async () => {
    const org = await seedOrg(server);
    const admin = await owner(server.url, org);
    const base = `/api/v1/orgs/${org.orgId}`;
    const people = await addMembers(server, org.orgId, 4);
    const lineId = org.line('SW-PREMIUM').id;
    const first = await admin.client.post(`${base}/assignments`, { lineId, accountId: people[0]!.id });
    expect(first.status).toBe(201);

    const orgs = join(server.dataDir, 'orgs');
    await rename(orgs, `${orgs}.away`);
    await writeFile(orgs, 'not a directory'); // root ignores permissions; a file in the way does not
    let replies;
    try {
      replies = await Promise.all(people.slice(1).map((p) => admin.client.post(`${base}/assignments`, { lineId, accountId: p.id })));
    } finally {
      await rm(orgs);
      await rename(`${orgs}.away`, orgs);
    }
    for (const r of replies) {
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('STORAGE_UNAVAILABLE');
    }
    const doc = server.services.store.org(org.orgId)!;
    expect(Object.keys(doc.assignments)).toEqual([first.body.id]);
    expect(await readStoredDoc(join(orgs, `${org.orgId}.json`))).toEqual(doc);

    const again = await admin.client.post(`${base}/assignments`, { lineId, accountId: people[1]!.id });
    expect(again.status).toBe(201);
    const listed = await admin.client.get(`${base}/assignments?lineId=${lineId}`);
    expect(listed.body.assignments.map((a: { id: string }) => a.id).sort()).toEqual([first.body.id, again.body.id].sort());
    const audit = await admin.client.get(`${base}/audit?action=assignment.create`);
    expect(audit.body.events.map((e: { target: string }) => e.target).sort()).toEqual([first.body.id, again.body.id].sort());
  });
});

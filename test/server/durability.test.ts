// The built server as an operator runs it: every write it acknowledged survives a SIGKILL in the
// middle of a burst, the data files stay parseable, and a plain restart keeps everything.
import { readStoredDoc } from '../../server/store/lowdb-store.js';
import type { GlobalDoc, OrgDoc } from '../../server/domain/model.js';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrg, buildServerBundle, expectFilesParse, startBuiltServer, type BuiltServer, type RunningServer } from '../helpers/built-server.js';
import { Client, owner, registered, uniqueEmail, verifyByMail } from '../helpers/client.js';
import { readOutbox } from '../helpers/outbox.js';

let built: BuiltServer;
let dataDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  built = await buildServerBundle();
  dataDir = await mkdtemp(join(tmpdir(), 'sk-durable-'));
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await built?.dispose();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const startServer = (): Promise<RunningServer> => startBuiltServer(built.bundle, dataDir, children);

const PASSWORD = 'correct horse battery';

describe('durability of the built server', () => {
  it('keeps every acknowledged write across a SIGKILL mid-burst and across a plain restart', async () => {
    const serial = `DUR-${process.pid}-${Date.now() % 1e6}`;
    const orgFile = join(dataDir, 'org.json');
    await writeFile(
      orgFile,
      JSON.stringify({ name: 'Durable Works', contracts: [{ number: 'C-DUR', serials: [serial], lines: [{ productCode: 'SW-PREMIUM', seats: 100, method: 'named-user' }] }] }),
    );
    const orgId = await addOrg(built.bundle, dataDir, orgFile);
    expect(orgId).toMatch(/^org_/);

    let s = await startServer();
    const base = `/api/v1/orgs/${orgId}`;
    const admin = await owner(s.url, { orgId, serial, name: 'Durable Works' }, uniqueEmail('owner'));
    const lineId = (await admin.client.get(`${base}/contracts`)).body.contracts[0].lines[0].id as string;
    const early = await Promise.all(Array.from({ length: 12 }, () => registered(s.url, { serial, password: PASSWORD })));

    // The burst: workers that keep requests in flight until the server dies under them —
    // registrations (global and organization documents) and assignments (organization only).
    const ackedEmails: string[] = [];
    const ackedAssignments: string[] = [];
    let failed = 0;
    let killed = false;
    const killAfter = 25;
    const maybeKill = () => {
      if (!killed && ackedEmails.length + ackedAssignments.length >= killAfter) {
        killed = true;
        s.child.kill('SIGKILL');
      }
    };
    const registrations = async (w: number) => {
      for (let i = 0; ; i++) {
        const email = uniqueEmail(`burst${w}`);
        try {
          const r = await new Client(s.url).post('/api/v1/auth/register', { email, password: PASSWORD, name: `Burst ${w}.${i}`, serial });
          expect(r.status).toBe(202);
          ackedEmails.push(email);
        } catch (err) {
          if (!killed) throw err;
          failed++;
          return;
        }
        maybeKill();
      }
    };
    const assignments = async (people: typeof early) => {
      for (const p of people) {
        try {
          const r = await admin.client.post(`${base}/assignments`, { lineId, accountId: p.accountId });
          expect(r.status).toBe(201);
          ackedAssignments.push(r.body.id);
        } catch (err) {
          if (!killed) throw err;
          failed++;
          return;
        }
        maybeKill();
      }
    };
    await Promise.all([
      ...Array.from({ length: 6 }, (_, w) => registrations(w)),
      assignments(early.slice(0, 6)),
      assignments(early.slice(6)),
    ]);
    expect(killed).toBe(true);
    expect(await s.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(ackedEmails.length + ackedAssignments.length).toBeGreaterThanOrEqual(killAfter);
    expect(ackedAssignments.length).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0); // the kill really landed mid-burst
    const tempsAfterKill = await expectFilesParse(dataDir);

    const verify = async (url: string, followLinks: boolean) => {
      const signIn = await new Client(url).post('/api/v1/auth/sign-in', { email: admin.email, password: PASSWORD });
      expect(signIn.status).toBe(200);
      const listed = await admin.client.get(`${base}/assignments?lineId=${lineId}`);
      expect(listed.status).toBe(200);
      const ids = new Set(listed.body.assignments.map((a: { id: string }) => a.id));
      for (const id of ackedAssignments) expect(ids).toContain(id);
      // What a server starting here would load: the snapshot with its journal replayed.
      const global = (await readStoredDoc<GlobalDoc>(join(dataDir, 'global.json')))!;
      const org = (await readStoredDoc<OrgDoc>(join(dataDir, 'orgs', `${orgId}.json`)))!;
      const byEmail = new Map(Object.values(global.accounts as Record<string, { id: string; email: string }>).map((a) => [a.email, a.id]));
      for (const email of ackedEmails) {
        const id = byEmail.get(email);
        expect(id, `${email} was acknowledged`).toBeDefined();
        expect(org.members[id!], `${email} is a member`).toBeDefined();
      }
      // Spot-check through the API that acknowledged accounts work: those whose verification mail
      // went out before the kill follow its link (first start), and stay verified (second start).
      const mailed = (await readOutbox(dataDir)).filter((m) => /Verify your email/.test(m.subject));
      const spot = ackedEmails.filter((e) => mailed.some((m) => m.to.includes(e))).slice(0, 3);
      expect(spot.length).toBeGreaterThan(0);
      for (const email of spot) {
        if (followLinks) await verifyByMail(url, email);
        const me = new Client(url);
        expect((await me.post('/api/v1/auth/sign-in', { email, password: PASSWORD })).status).toBe(200);
        expect((await me.get('/api/v1/me')).body.orgs.map((o: { orgId: string }) => o.orgId)).toEqual([orgId]);
      }
    };

    s = await startServer();
    admin.client = Object.assign(new Client(s.url), { cookie: admin.client.cookie });
    await verify(s.url, true);
    const before = await admin.client.get(`${base}/assignments`);

    // A plain restart (SIGTERM) loses nothing either.
    s.child.kill('SIGTERM');
    expect(await s.exited).toMatchObject({ code: 0 });
    s = await startServer();
    admin.client = Object.assign(new Client(s.url), { cookie: admin.client.cookie });
    await verify(s.url, false);
    expect((await admin.client.get(`${base}/assignments`)).body).toEqual(before.body);
    s.child.kill('SIGTERM');
    await s.exited;
    // Starting removes temp files a kill left behind, and a clean stop leaves none.
    expect(tempsAfterKill.every((n) => n.endsWith('.tmp'))).toBe(true);
    expect(await expectFilesParse(dataDir)).toEqual([]);
  // The built server hashes at the shipped (OWASP) scrypt cost, ~0.1–1 s a registration on a busy
  // machine: a limit for a slow machine, not a timing assertion.
  }, 120_000);
});

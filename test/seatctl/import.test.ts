// seatctl import against a real server: 5,000 rows (dry run, apply, rerun with no change), a
// malformed row reported by its line number and never half-applied, seat shortfalls and near
// misses, and the result file parsed back.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registered } from '../helpers/client.js';
import { adminSetup, type Admin } from './admin.js';

let a: Admin;
let dir: string;
beforeAll(async () => {
  a = await adminSetup();
  dir = await mkdtemp(join(tmpdir(), 'sk-import-'));
});
afterAll(() => a?.server.stop());

const doc = () => a.server.services.store.org(a.orgId)!;
const pending = () => Object.values(doc().invitations).filter((i) => i.status === 'pending');

async function file(name: string, lines: string[]): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, `${lines.join('\n')}\n`);
  return p;
}

// Registrations hash passwords at full cost and 5,000 rows are real work: generous guard times on a loaded two-core machine.
describe('seatctl import members', { timeout: 120_000 }, () => {
  it('imports 5,000 rows: a dry run writes nothing, the run applies, a rerun changes nothing', { timeout: 120_000 }, async () => {
    const lines = ['email,name,role,team,products'];
    for (let i = 0; i < 5000; i++) lines.push(`bulk.${i}@bulk.test,Bulk ${i},member,,${i % 2 ? 'SW-PREMIUM' : ''}`);
    // Line numbers count the header as line 1: row i is on line i + 2.
    lines[101] = 'not-an-email,Broken,member,,';
    lines[2001] = 'malformed@bulk.test,Too,many,cells,here,extra';
    const csvFile = await file('bulk.csv', lines);
    const before = pending().length;

    const dry = await a.ctl.run(['--json', 'import', 'members', csvFile, '--dry-run']);
    expect(dry.code).toBe(1);
    const d = JSON.parse(dry.stdout);
    expect(d).toMatchObject({ dryRun: true, rows: 5000, counts: { done: 4998, unchanged: 0, refused: 2 } });
    expect(pending().length).toBe(before);

    const resultFile = join(dir, 'bulk-result.csv');
    const run = await a.ctl.run(['import', 'members', csvFile, '--result', resultFile]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/5000 rows: 4998 done, 0 unchanged, 2 refused/);
    expect(run.stdout).toMatch(/line 102: not-an-email: .*not an email address/);
    expect(run.stdout).toMatch(/line 2002: .*MALFORMED_ROW/);
    expect(pending().length).toBe(before + 4998);
    expect(pending().some((i) => i.email === 'malformed@bulk.test' || i.email === 'not-an-email')).toBe(false);
    const withSeat = pending().find((i) => i.email === 'bulk.1@bulk.test')!;
    expect(withSeat.lineIds).toEqual([a.line('SW-PREMIUM').id]);

    const rows = parse(await readFile(resultFile, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(5000);
    expect(rows.map((r) => Number(r.line))).toEqual(Array.from({ length: 5000 }, (_, i) => i + 2));
    expect(rows.find((r) => r.line === '102')).toMatchObject({ status: 'refused', code: 'VALIDATION_FAILED' });
    expect(rows.find((r) => r.line === '2002')).toMatchObject({ status: 'refused', code: 'MALFORMED_ROW' });
    expect(rows.find((r) => r.line === '3')).toMatchObject({ status: 'done', email: 'bulk.1@bulk.test' });

    const rerun = await a.ctl.run(['--json', 'import', 'members', csvFile]);
    expect(rerun.code).toBe(1); // the two bad rows are still refused
    expect(JSON.parse(rerun.stdout).counts).toEqual({ done: 0, unchanged: 4998, refused: 2 });
    expect(pending().length).toBe(before + 4998);
  });

  it('sets role, team and seats of existing members, refuses a row whole when a seat is short, and warns of near misses', async () => {
    const serial = Object.values(doc().contracts)[0]!.serials[0]!;
    const people = [];
    for (let i = 0; i < 5; i++) people.push(await registered(a.server.url, { serial, name: `Member ${i}`, email: `member${i}.${process.pid}@acme.test` }));
    const team = await a.owner.post(`/api/v1/orgs/${a.orgId}/teams`, { name: 'Structures' });
    expect(team.status).toBe(201);
    const lines = ['email,name,role,team,products'];
    // BIM-COLLAB has 3 seats: the fourth and fifth rows are short and change nothing, not even the role.
    for (const p of people) lines.push(`${p.email},,admin,structures,BIM-COLLAB;SW-PREMIUM`);
    lines.push(`member0.${process.pid}@acme.tset,Typo,member,,`);
    const f = await file('members.csv', lines);

    const dry = JSON.parse((await a.ctl.run(['--json', 'import', 'members', f, '--dry-run'])).stdout);
    expect(dry.counts).toEqual({ done: 4, unchanged: 0, refused: 2 });
    expect(dry.shortfalls).toEqual([expect.objectContaining({ productCode: 'BIM-COLLAB', missing: 2 })]);
    expect(dry.results[5].warnings.join(' ')).toMatch(/looks like member0/);
    expect(Object.values(doc().assignments)).toHaveLength(0);

    const r = await a.ctl.run(['--json', 'import', 'members', f]);
    expect(r.code).toBe(1);
    const res = JSON.parse(r.stdout);
    expect(res.results.map((x: any) => x.status)).toEqual(['done', 'done', 'done', 'refused', 'refused', 'done']);
    expect(res.results[3]).toMatchObject({ line: 5, code: 'SEAT_LIMIT_REACHED' });
    const d = doc();
    expect(people.map((p) => d.members[p.accountId]!.role)).toEqual(['admin', 'admin', 'admin', 'member', 'member']);
    const held = (id: string) => Object.values(d.assignments).filter((x) => x.accountId === id).length;
    expect(people.map((p) => held(p.accountId))).toEqual([2, 2, 2, 0, 0]);
    const t = d.teams[team.body.id]!;
    expect(people.map((p) => t.memberIds.includes(p.accountId))).toEqual([true, true, true, false, false]);
    const audited = await a.owner.get(`/api/v1/orgs/${a.orgId}/audit?action=assignment.create&limit=100`);
    expect(audited.body.events).toHaveLength(6);
  });
});

describe('seatctl import assignments', { timeout: 120_000 }, () => {
  it('assigns seats to members by email, unchanged on rerun, and refuses non-members with a suggestion', async () => {
    const serial = Object.values(doc().contracts)[0]!.serials[0]!;
    const p = await registered(a.server.url, { serial, name: 'Asg Person', email: `asg.${process.pid}@acme.test` });
    const f = await file('asg.csv', ['email,product,contract', `${p.email},SW-PREMIUM,`, `asg.${process.pid}@acme.tst,SW-PREMIUM,`, `${p.email},NOPE,`]);
    const first = JSON.parse((await a.ctl.run(['--json', 'import', 'assignments', f])).stdout);
    expect(first.results.map((x: any) => [x.line, x.status, x.code ?? null])).toEqual([
      [2, 'done', null],
      [3, 'refused', 'NOT_FOUND'],
      [4, 'refused', 'NOT_FOUND'],
    ]);
    expect(first.results[1].reason).toMatch(/did you mean asg\./);
    const second = JSON.parse((await a.ctl.run(['--json', 'import', 'assignments', f])).stdout);
    expect(second.counts).toEqual({ done: 0, unchanged: 1, refused: 2 });
    expect(Object.values(doc().assignments).filter((x) => x.accountId === p.accountId)).toHaveLength(1);
  });

  it('stops with exit 2 on a file without the required columns or that is not CSV', async () => {
    const noCol = await a.ctl.run(['import', 'assignments', await file('bad.csv', ['email,name', 'x@acme.test,X'])]);
    expect(noCol.code).toBe(2);
    expect(noCol.stderr).toMatch(/lacks product/);
    const broken = await a.ctl.run(['import', 'members', await file('broken.csv', ['email,name', '"x@acme.test,X'])]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/not valid CSV/);
  });
});

// seatctl as a real process against a real server: login and its stored token, every command's
// --help, exit codes, and the members / seats / devices / tokens / switches / audit / export commands.
import { stat, readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../seatctl/cli.js';
import type { Command } from 'commander';
import { registered } from '../helpers/client.js';
import { adminSetup, type Admin } from './admin.js';
import { Seatctl } from './run-seatctl.js';

let a: Admin;
beforeAll(async () => {
  a = await adminSetup();
});
afterAll(() => a?.server.stop());

function commandPaths(c: Command, prefix: string[] = []): string[][] {
  return c.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

describe('seatctl login and connection', () => {
  it('stores the server and token readable by the owner only, and uses them', async () => {
    const st = await stat(a.ctl.configFile);
    if (process.platform !== 'win32') expect(st.mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(a.ctl.configFile, 'utf8'));
    expect(stored).toEqual({ server: a.server.url, token: a.token, org: a.orgId });
    const me = await a.ctl.json(['whoami']);
    expect(me.orgs.map((o: any) => o.orgId)).toContain(a.orgId);
  });

  it('refuses a wrong token with exit 3 and stores nothing', async () => {
    const ctl = await Seatctl.create();
    const r = await ctl.run(['login', '--server', a.server.url, '--token', 'skt_not-a-real-token']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/UNAUTHENTICATED/);
    await expect(stat(ctl.configFile)).rejects.toThrow();
  });

  it('exits 3 when not logged in and when the server cannot be reached', async () => {
    const ctl = await Seatctl.create();
    const none = await ctl.run(['members', 'list']);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/not logged in/);
    const gone = await ctl.run(['members', 'list'], { env: { SEATKEEPER_SERVER: 'http://127.0.0.1:1', SEATKEEPER_TOKEN: a.token } });
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/cannot reach/);
  });

  it('takes the server and token from SEATKEEPER_SERVER and SEATKEEPER_TOKEN', async () => {
    const ctl = await Seatctl.create({ SEATKEEPER_SERVER: a.server.url, SEATKEEPER_TOKEN: a.token });
    const r = await ctl.json(['members', 'list']);
    expect(r.members.map((m: any) => m.accountId)).toContain(a.ownerId);
  });

  it('reads the token from stdin with --token -', async () => {
    const ctl = await Seatctl.create();
    const r = await ctl.run(['login', '--server', a.server.url, '--token', '-'], { input: `${a.token}\n` });
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(ctl.configFile, 'utf8')).token).toBe(a.token);
  });
});

describe('seatctl usage', () => {
  // One process per command: generous on a loaded two-core machine.
  it('answers --help on every command with exit 0 and the exit codes on the top level', { timeout: 120_000 }, async () => {
    const paths = commandPaths(buildProgram({ io: { out() {}, err() {}, tty: false }, env: {}, platform: 'linux', home: '/nonexistent' }));
    expect(paths.length).toBeGreaterThan(25);
    const top = await a.ctl.run(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Exit codes:[\s\S]*3 {2}cannot reach/);
    for (const p of paths) {
      const r = await a.ctl.run([...p, '--help']);
      expect(r.code, p.join(' ')).toBe(0);
      expect(r.stdout, p.join(' ')).toMatch(new RegExp(`Usage: seatctl ${p.join(' ')}`));
    }
  });

  it('exits 2 on an unknown command, an unknown option, a missing argument or a bad value', async () => {
    for (const args of [['nonsense'], ['members', 'list', '--bogus'], ['members', 'role', 'x@acme.test'], ['members', 'role', 'x@acme.test', 'emperor'], ['seats']]) {
      const r = await a.ctl.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.length, args.join(' ')).toBeGreaterThan(0);
    }
  });
});

describe('seatctl commands', { timeout: 120_000 }, () => {
  it('lists members, changes a role, assigns, reassigns and unassigns seats, and removes a member', async () => {
    const org = a.server.services.store.org(a.orgId)!;
    const serial = Object.values(org.contracts)[0]!.serials[0]!;
    const ann = await registered(a.server.url, { serial, name: 'Ann Designer' });
    const bob = await registered(a.server.url, { serial, name: 'Bob Drafter' });

    const table = await a.ctl.run(['members', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+EMAIL\s+NAME\s+ROLE/);
    expect(table.stdout).toContain(ann.email);

    const role = await a.ctl.json(['members', 'role', ann.email, 'admin']);
    expect(role).toMatchObject({ before: 'member', role: 'admin' });
    expect(await a.ctl.json(['members', 'role', ann.email, 'member'])).toMatchObject({ before: 'admin', role: 'member' });

    const asg = await a.ctl.json(['seats', 'assign', ann.email, '--product', 'SW-PREMIUM']);
    expect(asg).toMatchObject({ productCode: 'SW-PREMIUM', accountId: ann.accountId });
    const again = await a.ctl.run(['--json', 'seats', 'assign', ann.email, '--product', 'SW-PREMIUM']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr).error.code).toBe('ALREADY_ASSIGNED');

    const moved = await a.ctl.json(['seats', 'reassign', asg.id, bob.email]);
    expect(moved.accountId).toBe(bob.accountId);
    const list = await a.ctl.json(['seats', 'list', '--assignments', '--member', bob.email]);
    expect(list.assignments.map((x: any) => x.id)).toEqual([moved.id]);
    const summary = await a.ctl.json(['seats', 'list', '--product', 'SW-PREMIUM']);
    expect(summary.lines[0]).toMatchObject({ productCode: 'SW-PREMIUM', owned: 10, assigned: 1 });

    expect((await a.ctl.run(['seats', 'unassign', moved.id])).code).toBe(0);
    expect(a.server.services.store.org(a.orgId)!.assignments[moved.id]).toBeUndefined();

    const removed = await a.ctl.json(['members', 'remove', bob.email]);
    expect(removed.ok).toBe(true);
    expect(a.server.services.store.org(a.orgId)!.members[bob.accountId]).toBeUndefined();
    const unknown = await a.ctl.run(['members', 'remove', 'nobody@acme.test']);
    expect(unknown.code).toBe(1);
  });

  it('refuses to demote the last owner with exit 1 and the server code', async () => {
    const r = await a.ctl.run(['--json', 'members', 'role', a.ownerId, 'member']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr).error.code).toBe('LAST_ADMIN');
  });

  it('invites a member', async () => {
    const r = await a.ctl.json(['members', 'invite', 'new.hire@acme.test', '--role', 'member']);
    expect(r.email).toBe('new.hire@acme.test');
    expect(Object.values(a.server.services.store.org(a.orgId)!.invitations).map((i) => i.email)).toContain('new.hire@acme.test');
  });

  it('creates, lists and revokes enrollment tokens and lists devices', async () => {
    const t = await a.ctl.json(['enrollment-tokens', 'create', 'Floor 2', '--hours', '24']);
    expect(t.token).toBeTruthy();
    const list = await a.ctl.json(['tokens', 'list']);
    expect(list.tokens.find((x: any) => x.id === t.id)).toMatchObject({ status: 'active', name: 'Floor 2' });
    expect(JSON.stringify(list)).not.toContain(t.token);
    expect((await a.ctl.run(['tokens', 'revoke', t.id])).code).toBe(0);
    expect((await a.ctl.json(['tokens', 'list'])).tokens.find((x: any) => x.id === t.id).status).toBe('revoked');
    const devices = await a.ctl.run(['devices', 'list']);
    expect(devices.code).toBe(0);
    expect(devices.stdout).toMatch(/^ID\s+HOST/);
  });

  it('plans, schedules, lists and cancels a method switch', async () => {
    const lineId = a.line('ACAD').id;
    const plan = await a.ctl.json(['switches', 'plan', lineId, '--to', 'named-user']);
    expect(plan).toMatchObject({ lineId, from: 'serial', to: 'named-user' });
    const later = new Date(Date.now() + 24 * 3600_000).toISOString();
    const s = await a.ctl.json(['switches', 'schedule', lineId, '--to', 'named-user', '--at', later]);
    expect(s.switch.status).toBe('scheduled');
    const listed = await a.ctl.json(['switches', 'list']);
    expect(listed.switches.map((x: any) => x.id)).toContain(s.switch.id);
    expect((await a.ctl.run(['switches', 'cancel', s.switch.id])).code).toBe(0);
    const bad = await a.ctl.run(['switches', 'schedule', lineId, '--to', 'named-user', '--at', 'next tuesday']);
    expect(bad.code).toBe(2);
  });

  it('refuses a webhook on a private address with exit 1, and lists none', async () => {
    const r = await a.ctl.run(['--json', 'webhooks', 'add', 'http://127.0.0.1:9/hook']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr).error.code).toBe('VALIDATION_FAILED');
    expect((await a.ctl.json(['webhooks', 'list'])).webhooks).toEqual([]);
  });

  it('shows the audit log and exports members and assignments as CSV that parses back', async () => {
    const audit = await a.ctl.json(['audit', '--action', 'role.change', '--limit', '5']);
    expect(audit.events.length).toBeGreaterThan(0);
    expect(audit.events.every((e: any) => e.action === 'role.change')).toBe(true);
    const members = await a.ctl.run(['export', 'members']);
    expect(members.code).toBe(0);
    const rows = parse(members.stdout, { columns: true }) as Array<Record<string, string>>;
    const docMembers = Object.keys(a.server.services.store.org(a.orgId)!.members);
    expect(rows).toHaveLength(docMembers.length);
    expect(rows.map((r) => r.account_id).sort()).toEqual(docMembers.sort());
    const asg = await a.ctl.run(['export', 'assignments']);
    expect(parse(asg.stdout, { columns: true })).toHaveLength(Object.keys(a.server.services.store.org(a.orgId)!.assignments).length);
  });
});

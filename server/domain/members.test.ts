import { describe, expect, it } from 'vitest';
import { emptyOrgDoc, type Account, type OrgDoc, type Role } from './model.js';
import { applyRemoval, memberDetail, planRemoval, searchMembers } from './members.js';

function account(id: string, name: string, email: string, aliases: string[] = []): Account {
  return { id, name, email, aliases, passwordHash: null, status: 'active', createdAt: 0 };
}

const accounts: Record<string, Account> = {
  acc_ann: account('acc_ann', 'Ann Archer', 'ann@acme.test'),
  acc_bob: account('acc_bob', 'Bob Builder', 'bob@acme.test', ['robert@acme-eng.test']),
  acc_cy: account('acc_cy', 'Cy Cooper', 'cy@acme.test'),
};

function fixture(): OrgDoc {
  const doc = emptyOrgDoc({ id: 'org_1', name: 'Acme', aliasDomains: [], salt: 's', claimedBy: null, claimedAt: null, termsAcceptedAt: null, settings: { leaseTtlSeconds: 60 }, createdAt: 0 });
  const m = (id: string, role: Role, joinedAt: number) => (doc.members[id] = { accountId: id, role, joinedAt });
  m('acc_cy', 'owner', 1);
  m('acc_bob', 'member', 2);
  m('acc_ann', 'admin', 3);
  doc.contracts.con_1 = { id: 'con_1', number: 'C-1', serials: [], startsAt: 0, endsAt: 10, lines: [{ id: 'lin_sw', productCode: 'SW-PREMIUM', seats: 3, method: 'named-user' }] };
  doc.assignments.asg_1 = { id: 'asg_1', lineId: 'lin_sw', accountId: 'acc_bob', assignedBy: 'acc_cy', assignedAt: 5 };
  doc.teams.tea_1 = { id: 'tea_1', name: 'Bridges', memberIds: ['acc_bob', 'acc_ann'], adminIds: ['acc_bob'], contractIds: [], createdAt: 0 };
  doc.devices.dev_1 = {
    id: 'dev_1', machineIdHash: 'x', hostname: 'ws-bob', os: { platform: 'linux', distro: 'd', release: 'r', arch: 'x64' }, agentVersion: '1.0.0', publicKey: 'k',
    enrolledAt: 0, enrolledWith: 'enr', lastSeenAt: 9, signedInAccountId: 'acc_bob', inventory: [], inventoryHash: null, revokedAt: null,
  };
  doc.devices.dev_2 = { ...doc.devices.dev_1, id: 'dev_2', hostname: 'ws-old', revokedAt: 4 };
  return doc;
}

describe('searchMembers', () => {
  it.each([
    [{}, ['acc_ann', 'acc_bob', 'acc_cy']],
    [{ q: 'BUILD' }, ['acc_bob']],
    [{ q: 'acme.test' }, ['acc_ann', 'acc_bob', 'acc_cy']],
    [{ q: 'robert' }, ['acc_bob']],
    [{ role: 'owner' as const }, ['acc_cy']],
    [{ teamId: 'tea_1' }, ['acc_ann', 'acc_bob']],
    [{ teamId: 'tea_1', q: 'ann' }, ['acc_ann']],
    [{ teamId: 'tea_unknown' }, []],
    [{ q: 'nobody' }, []],
  ])('%j → %j', (q, ids) => {
    expect(searchMembers(fixture(), accounts, q).map((m) => m.accountId)).toEqual(ids);
  });

  it('shows role, teams, assignments with product codes and joinedAt', () => {
    const bob = searchMembers(fixture(), accounts, { q: 'bob' })[0]!;
    expect(bob).toEqual({
      accountId: 'acc_bob', email: 'bob@acme.test', name: 'Bob Builder', role: 'member',
      teams: [{ id: 'tea_1', name: 'Bridges', admin: true }],
      assignments: [{ id: 'asg_1', lineId: 'lin_sw', productCode: 'SW-PREMIUM' }],
      joinedAt: 2,
    });
  });
});

describe('memberDetail', () => {
  it('lists assignments with their contract and the devices the member is signed in on (not revoked ones)', () => {
    const d = memberDetail(fixture(), accounts.acc_bob!, new Set(['dev_1']));
    expect(d.assignments).toEqual([{ id: 'asg_1', lineId: 'lin_sw', productCode: 'SW-PREMIUM', contractId: 'con_1', contractNumber: 'C-1', assignedBy: 'acc_cy', assignedAt: 5 }]);
    expect(d.devices).toEqual([{ id: 'dev_1', hostname: 'ws-bob', platform: 'linux', agentVersion: '1.0.0', lastSeenAt: 9, online: true }]);
  });
});

describe('removal', () => {
  it('ends the assignments, leaves every team (as member and admin) and drops the membership', () => {
    const doc = fixture();
    const plan = planRemoval(doc, 'acc_bob');
    expect(plan.assignments.map((a) => a.id)).toEqual(['asg_1']);
    expect(plan.teamIds).toEqual(['tea_1']);
    applyRemoval(doc, 'acc_bob', plan);
    expect(doc.members.acc_bob).toBeUndefined();
    expect(doc.assignments).toEqual({});
    expect(doc.teams.tea_1!.memberIds).toEqual(['acc_ann']);
    expect(doc.teams.tea_1!.adminIds).toEqual([]);
  });

  it('planning changes nothing', () => {
    const doc = fixture();
    const before = JSON.stringify(doc);
    planRemoval(doc, 'acc_bob');
    expect(JSON.stringify(doc)).toBe(before);
  });
});

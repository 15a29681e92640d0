import { describe, expect, it } from 'vitest';
import { DAY, NOW, orgDoc } from '../../test/helpers/org-doc.js';
import { addDevice, addLease } from '../../test/gateway/device-fixtures.js';
import type { InventoryItem, OrgDoc } from './model.js';
import {
  affectedDevices,
  applyPlan,
  planLeaseRequest,
  entitlementsFor,
  inferRevokeReason,
  planDevice,
  pruneLeases,
} from './entitlements.js';

const SW: InventoryItem = { productCode: 'SW-PREMIUM', version: '2025', path: '/opt/sw', serial: null };
const acad = (serial: string | null): InventoryItem => ({ productCode: 'ACAD', version: '2025', path: '/opt/acad', serial });

/** Contract c1: SW-PREMIUM named-user (2 seats), ACAD serial (1 seat), BIM-COLLAB named-user (two-tier service). */
function base() {
  return orgDoc()
    .member('amy')
    .member('bob')
    .contract('c1', [
      { id: 'sw', productCode: 'SW-PREMIUM', seats: 2 },
      { id: 'acad', productCode: 'ACAD', seats: 1, method: 'serial' },
      { id: 'bim', productCode: 'BIM-COLLAB', seats: 2 },
    ]);
}

describe('entitlementsFor', () => {
  it.each([
    ['assigned, signed in, installed', { assign: true, signedIn: 'amy', inventory: [SW] }, ['SW-PREMIUM']],
    ['assigned but not installed', { assign: true, signedIn: 'amy', inventory: [] }, []],
    ['installed but nobody signed in', { assign: true, signedIn: null, inventory: [SW] }, []],
    ['someone else signed in', { assign: true, signedIn: 'bob', inventory: [SW] }, []],
    ['signed in, installed, no seat', { assign: false, signedIn: 'amy', inventory: [SW] }, []],
  ])('named-user: %s → %j', (_label, c, expected) => {
    const b = base();
    if (c.assign) b.assign('a1', 'sw', 'amy');
    addDevice(b.doc, 'd1', { signedInAccountId: c.signedIn, inventory: c.inventory });
    expect(entitlementsFor(b.doc, 'd1', NOW).map((e) => e.productCode)).toEqual(expected);
  });

  it('gives nothing on an ended contract, to a revoked device, or to someone no longer a member', () => {
    const ended = orgDoc().member('amy').contract('c1', [{ id: 'sw', productCode: 'SW-PREMIUM', seats: 1 }], { endsAt: NOW - 1 }).assign('a1', 'sw', 'amy');
    addDevice(ended.doc, 'd1', { signedInAccountId: 'amy', inventory: [SW] });
    expect(entitlementsFor(ended.doc, 'd1', NOW)).toEqual([]);
    const b = base().assign('a1', 'sw', 'amy');
    addDevice(b.doc, 'd1', { signedInAccountId: 'amy', inventory: [SW], revokedAt: NOW - 1 });
    expect(entitlementsFor(b.doc, 'd1', NOW)).toEqual([]);
    b.doc.devices.d1!.revokedAt = null;
    delete b.doc.members.amy;
    expect(entitlementsFor(b.doc, 'd1', NOW)).toEqual([]);
  });

  it('needs the project team as well as the seat for a two-tier product, and no install for a service', () => {
    const b = base().assign('a1', 'bim', 'amy');
    addDevice(b.doc, 'd1', { signedInAccountId: 'amy' });
    expect(entitlementsFor(b.doc, 'd1', NOW)).toEqual([]);
    b.team('t-other', { memberIds: ['amy'], contractIds: ['c-other'] });
    expect(entitlementsFor(b.doc, 'd1', NOW)).toEqual([]);
    b.team('t1', { memberIds: ['amy'], contractIds: ['c1'] });
    expect(entitlementsFor(b.doc, 'd1', NOW)).toEqual([{ productCode: 'BIM-COLLAB', lineId: 'bim', contractId: 'c1', subject: 'amy', method: 'named-user' }]);
  });

  it("serial: the contract's serial (any case) on the device, device-bound, first come within seats", () => {
    const b = base();
    addDevice(b.doc, 'd1', { inventory: [acad('ser-c1')] });
    addDevice(b.doc, 'd2', { inventory: [acad('SER-C1')] });
    addDevice(b.doc, 'd3', { inventory: [acad('SER-OTHER')] });
    expect(entitlementsFor(b.doc, 'd1', NOW)).toEqual([{ productCode: 'ACAD', lineId: 'acad', contractId: 'c1', subject: 'serial:SER-C1', method: 'serial' }]);
    expect(entitlementsFor(b.doc, 'd3', NOW)).toEqual([]);
    // d2 holds the one seat: it keeps it, d1 gets none.
    addLease(b.doc, 'l2', { deviceId: 'd2', lineId: 'acad', subject: 'serial:SER-C1', productCode: 'ACAD', method: 'serial' });
    expect(entitlementsFor(b.doc, 'd2', NOW)).toHaveLength(1);
    expect(entitlementsFor(b.doc, 'd1', NOW)).toEqual([]);
    // An expired or revoked lease holds no seat.
    b.doc.leases.l2!.expiresAt = NOW - 1;
    expect(entitlementsFor(b.doc, 'd1', NOW)).toHaveLength(1);
  });
});

describe('planDevice and applyPlan', () => {
  it('grants what is missing, keeps what matches, revokes what is no longer entitled', () => {
    const b = base().assign('a1', 'sw', 'amy');
    addDevice(b.doc, 'd1', { signedInAccountId: 'amy', inventory: [SW] });
    addLease(b.doc, 'old', { deviceId: 'd1', lineId: 'bim', subject: 'amy', productCode: 'BIM-COLLAB' });
    const plan = planDevice(b.doc, 'd1', NOW, { reason: 'unassigned' });
    expect(plan.grant.map((e) => e.productCode)).toEqual(['SW-PREMIUM']);
    expect(plan.revoke.map((r) => [r.lease.jti, r.reason])).toEqual([['old', 'unassigned']]);
    let n = 0;
    const made = applyPlan(b.doc, plan, NOW + 1500, 3600_000, () => `new${++n}`);
    expect(made).toEqual([expect.objectContaining({ jti: 'new1', productCode: 'SW-PREMIUM', subject: 'amy', issuedAt: NOW + 1000, expiresAt: NOW + 3601_000 })]);
    expect(b.doc.leases.old).toMatchObject({ status: 'revoked', revokeReason: 'unassigned', revokedAt: NOW + 1500 });
    expect(planDevice(b.doc, 'd1', NOW + 2000, { reason: 'unassigned' })).toEqual({ deviceId: 'd1', revoke: [], supersede: [], grant: [] });
  });

  it('replaces (supersedes, not revokes) a lease when the seat behind it changes, and renews near expiry', () => {
    const b = base().assign('a1', 'sw', 'amy');
    addDevice(b.doc, 'd1', { signedInAccountId: 'amy', inventory: [SW] });
    addLease(b.doc, 'serialish', { deviceId: 'd1', lineId: 'sw', subject: 'serial:X', productCode: 'SW-PREMIUM', method: 'serial' });
    const plan = planDevice(b.doc, 'd1', NOW, { reason: 'method-switched' });
    expect(plan.supersede.map((l) => l.jti)).toEqual(['serialish']);
    expect(plan.revoke).toEqual([]);
    expect(plan.grant).toHaveLength(1);
    const b2 = base().assign('a1', 'sw', 'amy');
    addDevice(b2.doc, 'd1', { signedInAccountId: 'amy', inventory: [SW] });
    addLease(b2.doc, 'l', { deviceId: 'd1', lineId: 'sw', subject: 'amy', productCode: 'SW-PREMIUM', expiresAt: NOW + 1000 });
    expect(planDevice(b2.doc, 'd1', NOW, {}).grant).toEqual([]);
    expect(planDevice(b2.doc, 'd1', NOW, { renewBefore: NOW + 5000 }).supersede.map((l) => l.jti)).toEqual(['l']);
  });

  it.each([
    ['device revoked', (d: OrgDoc) => (d.devices.d1!.revokedAt = NOW), 'device-revoked'],
    ['contract ended', (d: OrgDoc) => (d.contracts.c1!.endsAt = NOW - 1), 'contract-ended'],
    ['method switched', (d: OrgDoc) => (d.contracts.c1!.lines[0]!.method = 'serial'), 'method-switched'],
    ['someone else signed in', (d: OrgDoc) => (d.devices.d1!.signedInAccountId = 'bob'), 'signed-out'],
    ['member removed', (d: OrgDoc) => delete d.members.amy, 'member-removed'],
    ['seat taken away', (d: OrgDoc) => delete d.assignments.a1, 'unassigned'],
  ])('infers the reason when no event gave one: %s → %s', (_label, change, reason) => {
    const b = base().assign('a1', 'sw', 'amy');
    addDevice(b.doc, 'd1', { signedInAccountId: 'amy', inventory: [SW] });
    const l = addLease(b.doc, 'l', { deviceId: 'd1', lineId: 'sw', subject: 'amy', productCode: 'SW-PREMIUM' });
    change(b.doc);
    expect(inferRevokeReason(b.doc, l, NOW)).toBe(reason);
    expect(planDevice(b.doc, 'd1', NOW, {}).revoke.map((r) => r.reason)).toEqual([reason]);
  });
});

it("says 'team-removed', not 'unassigned', when a two-tier product's seat stays but its project team is gone", () => {
  const b = base().assign('a1', 'bim', 'amy');
  b.team('t1', { memberIds: ['amy'], contractIds: ['c1'] });
  addDevice(b.doc, 'd1', { signedInAccountId: 'amy' });
  const l = addLease(b.doc, 'l', { deviceId: 'd1', lineId: 'bim', subject: 'amy', productCode: 'BIM-COLLAB' });
  b.doc.teams.t1!.memberIds = [];
  expect(inferRevokeReason(b.doc, l, NOW)).toBe('team-removed');
  delete b.doc.assignments.a1;
  expect(inferRevokeReason(b.doc, l, NOW)).toBe('unassigned');
});

describe('planLeaseRequest', () => {
  it('sends the current lease while young, a fresh one after, a revocation or nothing when not entitled', () => {
    const b = base().assign('a1', 'sw', 'amy');
    addDevice(b.doc, 'd1', { signedInAccountId: 'amy', inventory: [SW] });
    const l = addLease(b.doc, 'l', { deviceId: 'd1', lineId: 'sw', subject: 'amy', productCode: 'SW-PREMIUM', issuedAt: NOW - 1000 });
    expect(planLeaseRequest(b.doc, 'd1', 'SW-PREMIUM', NOW, 60_000)).toEqual({ kind: 'current', lease: l });
    const renew = planLeaseRequest(b.doc, 'd1', 'SW-PREMIUM', NOW + 120_000, 60_000);
    expect(renew.kind === 'change' && renew.plan.supersede.map((x) => x.jti)).toEqual(['l']);
    expect(planLeaseRequest(b.doc, 'd1', 'REVIT', NOW, 60_000)).toEqual({ kind: 'none' });
    delete b.doc.assignments.a1;
    const gone = planLeaseRequest(b.doc, 'd1', 'SW-PREMIUM', NOW, 60_000);
    expect(gone.kind === 'change' && gone.plan.revoke.map((r) => r.reason)).toEqual(['unassigned']);
    l.status = 'revoked';
    l.revokeReason = 'reassigned';
    expect(planLeaseRequest(b.doc, 'd1', 'SW-PREMIUM', NOW, 60_000)).toEqual({ kind: 'revoked', lease: l });
  });
});

describe('affectedDevices', () => {
  it('finds devices by signed-in account, by line (holders and installs), by id, or all', () => {
    const b = base();
    addDevice(b.doc, 'amy-pc', { signedInAccountId: 'amy', inventory: [SW] });
    addDevice(b.doc, 'acad-pc', { inventory: [acad('SER-C1')] });
    addDevice(b.doc, 'holder', {});
    addLease(b.doc, 'h', { deviceId: 'holder', lineId: 'sw', subject: 'bob', productCode: 'SW-PREMIUM' });
    expect(affectedDevices(b.doc, { accountIds: ['amy'] }, NOW)).toEqual(['amy-pc']);
    expect(affectedDevices(b.doc, { accountIds: ['bob'] }, NOW)).toEqual(['holder']);
    expect(affectedDevices(b.doc, { lineIds: ['acad'] }, NOW)).toEqual(['acad-pc']);
    expect(affectedDevices(b.doc, { lineIds: ['sw'] }, NOW).sort()).toEqual(['amy-pc', 'holder']);
    expect(affectedDevices(b.doc, { deviceIds: ['acad-pc'] }, NOW)).toEqual(['acad-pc']);
    expect(affectedDevices(b.doc, { all: true }, NOW)).toHaveLength(3);
  });
});

describe('pruneLeases', () => {
  it('drops leases a day past their expiry, and keeps a revoked one an offline agent may still hold', () => {
    const b = base();
    const lease = { deviceId: 'd', lineId: 'sw', subject: 'amy', productCode: 'SW-PREMIUM' };
    addLease(b.doc, 'live', lease);
    addLease(b.doc, 'revoked-unexpired', { ...lease, status: 'revoked', revokedAt: NOW - 2 * DAY, revokeReason: 'unassigned' });
    addLease(b.doc, 'revoked-long-expired', { ...lease, status: 'revoked', revokedAt: NOW - 3 * DAY, expiresAt: NOW - 2 * DAY });
    addLease(b.doc, 'just-expired', { ...lease, expiresAt: NOW - 1000 });
    addLease(b.doc, 'long-expired', { ...lease, expiresAt: NOW - 2 * DAY });
    expect(pruneLeases(b.doc, NOW, DAY)).toBe(2);
    expect(Object.keys(b.doc.leases).sort()).toEqual(['just-expired', 'live', 'revoked-unexpired']);
  });
});

import { describe, expect, it } from 'vitest';
import { addDevice, addLease } from '../../test/gateway/device-fixtures.js';
import { NOW, orgDoc } from '../../test/helpers/org-doc.js';
import type { InventoryItem } from './model.js';
import { planDevice } from './entitlements.js';
import { applySwitch, planSwitch, planSwitchSteps } from './switch-plan.js';

const acad = (serial: string | null): InventoryItem => ({ productCode: 'ACAD', version: '2025', path: '/opt/acad', serial });
const people: Record<string, { email: string; name: string }> = {
  amy: { email: 'amy@acme.test', name: 'Amy' },
  bob: { email: 'bob@acme.test', name: 'Bob' },
  cal: { email: 'cal@acme.test', name: 'Cal' },
};
const lookup = (id: string) => people[id];

/** ACAD on serial with `seats`; amy-pc, bob-pc and lab-pc (nobody signed in) use it under the serial. */
function serialInUse(seats: number) {
  const b = orgDoc().member('amy').member('bob').member('cal').contract('c1', [{ id: 'acad', productCode: 'ACAD', seats, method: 'serial' }]);
  const users: Array<[string, string | null]> = [['amy-pc', 'amy'], ['bob-pc', 'bob'], ['lab-pc', null]];
  users.forEach(([dev, acc], i) => {
    addDevice(b.doc, dev, { signedInAccountId: acc, inventory: [acad('SER-C1')] });
    addLease(b.doc, `l-${dev}`, { deviceId: dev, lineId: 'acad', subject: 'serial:SER-C1', productCode: 'ACAD', method: 'serial', issuedAt: NOW - 10_000 + i });
  });
  return b;
}

describe('planning serial → named-user', () => {
  it('names every device (and its person) that would lose access without auto-assign', () => {
    const b = serialInUse(3);
    const plan = planSwitch(b.doc, 'acad', 'named-user', false, NOW, lookup);
    expect(plan).toMatchObject({ productCode: 'ACAD', from: 'serial', to: 'named-user', seats: 3, assigned: 0, wouldAssign: [] });
    expect(plan.losesAccess.devices.map((d) => [d.deviceId, d.email])).toEqual([
      ['amy-pc', 'amy@acme.test'],
      ['bob-pc', 'bob@acme.test'],
      ['lab-pc', null],
    ]);
    expect(plan.losesAccess.users.map((u) => u.accountId)).toEqual(['amy', 'bob']);
  });

  it('with auto-assign gives seats to the people using it now; only the device nobody signs in to loses access', () => {
    const plan = planSwitch(serialInUse(3).doc, 'acad', 'named-user', true, NOW, lookup);
    expect(plan.wouldAssign.map((p) => p.email)).toEqual(['amy@acme.test', 'bob@acme.test']);
    expect(plan.losesAccess.devices.map((d) => d.deviceId)).toEqual(['lab-pc']);
    expect(plan.losesAccess.users).toEqual([]);
    expect(plan.keepsAccess.devices).toEqual(['amy-pc', 'bob-pc']);
  });

  it('assigns only as far as seats allow, first come (an existing assignment uses a seat)', () => {
    const b = serialInUse(2).assign('a-cal', 'acad', 'cal');
    const plan = planSwitch(b.doc, 'acad', 'named-user', true, NOW, lookup);
    expect(plan.assigned).toBe(1);
    expect(plan.wouldAssign.map((p) => p.accountId)).toEqual(['amy']);
    expect(plan.losesAccess.users.map((u) => u.accountId)).toEqual(['bob']);
    // lab-pc has no lease of its own (2 seats, 3 devices): it cannot lose what it does not have.
  });

  it('applying the plan switches the method, assigns, records the switch, and keeps the assigned working', () => {
    const b = serialInUse(3);
    const plan = planSwitch(b.doc, 'acad', 'named-user', true, NOW, lookup);
    let n = 0;
    const { switch: sw, assignments } = applySwitch(b.doc, plan, { actorId: 'admin', now: NOW, newId: (p) => `${p}_${++n}` });
    expect(b.doc.contracts.c1!.lines[0]!.method).toBe('named-user');
    expect(assignments.map((a) => a.accountId)).toEqual(['amy', 'bob']);
    expect(b.doc.switches[sw.id]).toMatchObject({ status: 'applied', from: 'serial', to: 'named-user', autoAssign: true, appliedAt: NOW, runAt: null });
    expect(planDevice(b.doc, 'amy-pc', NOW, { reason: 'method-switched' })).toMatchObject({ revoke: [], supersede: [{ jti: 'l-amy-pc' }], grant: [{ subject: 'amy', method: 'named-user' }] });
    expect(planDevice(b.doc, 'lab-pc', NOW, { reason: 'method-switched' }).revoke.map((r) => r.reason)).toEqual(['method-switched']);
  });
});

describe('planning named-user → serial', () => {
  it("names the users whose devices lack the contract's serial", () => {
    const b = orgDoc().member('amy').member('bob').contract('c1', [{ id: 'acad', productCode: 'ACAD', seats: 5 }]).assign('a1', 'acad', 'amy').assign('a2', 'acad', 'bob');
    addDevice(b.doc, 'amy-pc', { signedInAccountId: 'amy', inventory: [acad('ser-c1')] });
    addDevice(b.doc, 'bob-pc', { signedInAccountId: 'bob', inventory: [acad(null)] });
    const plan = planSwitch(b.doc, 'acad', 'serial', true, NOW, lookup);
    expect(plan.wouldAssign).toEqual([]);
    expect(plan.losesAccess.devices.map((d) => d.deviceId)).toEqual(['bob-pc']);
    expect(plan.losesAccess.users).toEqual([{ accountId: 'bob', email: 'bob@acme.test', name: 'Bob' }]);
    expect(plan.keepsAccess.devices).toEqual(['amy-pc']);
  });
});

describe('refusals', () => {
  it('refuses a switch to the method the line already has, and an unknown line', () => {
    const b = serialInUse(1);
    expect(() => planSwitch(b.doc, 'acad', 'serial', false, NOW, lookup)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => planSwitch(b.doc, 'nope', 'serial', false, NOW, lookup)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('leaves the document untouched while planning', () => {
    const b = serialInUse(3);
    const before = JSON.stringify(b.doc);
    planSwitch(b.doc, 'acad', 'named-user', true, NOW, lookup);
    expect(JSON.stringify(b.doc)).toBe(before);
  });
});

describe('planning a large organization', () => {
  /** serialInUse(3) plus `others` workstations, each holding a lease of another product. */
  function withOthers(others: number) {
    const b = serialInUse(3).contract('c2', [{ id: 'sw', productCode: 'SW', seats: others, method: 'serial' }]);
    for (let i = 0; i < others; i++) {
      addDevice(b.doc, `ws-${i}`, { inventory: [{ productCode: 'SW', version: '2025', path: '/opt/sw', serial: 'SER-C2' }] });
      addLease(b.doc, `l-ws-${i}`, { deviceId: `ws-${i}`, lineId: 'sw', subject: 'serial:SER-C2', productCode: 'SW', method: 'serial' });
    }
    return b;
  }
  const yieldsOf = (others: number) => {
    const steps = planSwitchSteps(withOthers(others).doc, 'acad', 'named-user', false, NOW, lookup);
    let yields = 0;
    for (let r = steps.next(); !r.done; r = steps.next()) yields++;
    return yields;
  };

  it('yields while it walks every lease and device, not only between the devices it plans', () => {
    // The devices planned are the same three: only the walks over the whole organization grow.
    expect(yieldsOf(20_000) - yieldsOf(2_000)).toBeGreaterThan(40);
  });

  it('plans the same in steps as in one go', () => {
    const b = withOthers(3_000);
    expect(planSwitch(b.doc, 'acad', 'named-user', false, NOW, lookup)).toEqual(planSwitch(serialInUse(3).doc, 'acad', 'named-user', false, NOW, lookup));
  });
});

// Switching a contract line's activation method (serial ↔ named-user), planned before it is done:
// who would lose access, and with auto-assign, who would get a seat to keep working. Pure: the plan
// simulates the leases of every device using the product, on a copy, before and after the switch.
import { SeatkeeperError } from '../../shared/errors.js';
import type { ActivationMethod, Assignment, MethodSwitch, OrgDoc } from './model.js';
import { applyPlan, findLine, isLive, OrgIndex, planDevice } from './entitlements.js';

export interface PersonRef {
  accountId: string;
  email: string;
  name: string;
}

export interface DeviceLoss {
  deviceId: string;
  hostname: string;
  /** who is signed in on it, if anyone */
  accountId: string | null;
  email: string | null;
}

export interface SwitchPlan {
  lineId: string;
  contractId: string;
  contractNumber: string;
  productCode: string;
  from: ActivationMethod;
  to: ActivationMethod;
  autoAssign: boolean;
  seats: number;
  /** assignments on the line before the switch */
  assigned: number;
  /** people auto-assign would give a seat (the people using the product now, as far as seats allow) */
  wouldAssign: PersonRef[];
  /** devices (and their signed-in people) that would have no lease for the product after the switch */
  losesAccess: { devices: DeviceLoss[]; users: PersonRef[] };
  /** devices using the line now that keep the product */
  keepsAccess: { devices: string[] };
}

export type AccountLookup = (accountId: string) => { email: string; name: string } | undefined;

/** Records walked between two yields of a plan: a slice's worth of the simplest steps. */
const STEP = 512;

/**
 * A copy of what a simulation changes, sharing the rest: the leases of `deviceIds` only (the only
 * ones it plans), and with `rights`, the assignments and the contract lines. Far cheaper than a
 * deep clone of an organization with thousands of devices.
 */
function* simCopy(doc: OrgDoc, deviceIds: ReadonlySet<string>, rights: boolean): Generator<void, OrgDoc> {
  const leases: OrgDoc['leases'] = {};
  let n = 0;
  for (const l of Object.values(doc.leases)) {
    if (deviceIds.has(l.deviceId)) leases[l.jti] = { ...l };
    if (++n % STEP === 0) yield;
  }
  if (!rights) return { ...doc, leases };
  return {
    ...doc,
    leases,
    assignments: { ...doc.assignments },
    contracts: Object.fromEntries(Object.entries(doc.contracts).map(([k, c]) => [k, { ...c, lines: c.lines.map((l) => ({ ...l })) }])),
  };
}

/**
 * The devices whose lease for `productCode` a sync may change: those holding one now, and those
 * that could get one (it is installed there; for a service, someone is signed in). A product's
 * leases depend only on the lines of that product, so simulating these alone is exact for it.
 */
function* productDevices(doc: OrgDoc, productCode: string, now: number): Generator<void, Set<string>> {
  const service = doc.products[productCode]?.kind === 'service';
  const ids = new Set<string>();
  let n = 0;
  for (const l of Object.values(doc.leases)) {
    if (l.productCode === productCode && isLive(l, now)) ids.add(l.deviceId);
    if (++n % STEP === 0) yield;
  }
  for (const d of Object.values(doc.devices)) {
    if (service ? d.signedInAccountId !== null : d.inventory.some((i) => i.productCode === productCode)) ids.add(d.id);
    if (++n % STEP === 0) yield;
  }
  return ids;
}

/**
 * Which line each device would hold `productCode` on once every device is synced (first come:
 * enrollment order), on a copy that `prepare` may change first. A generator that yields after
 * each step, so a caller can spread a large organization over many turns of its event loop.
 */
function* simulateProduct(doc: OrgDoc, productCode: string, deviceIds: ReadonlySet<string>, now: number, prepare?: (sim: OrgDoc) => void): Generator<void, Map<string, string>> {
  // Only leases change when nothing is prepared: the rights (assignments, lines) are shared, not copied.
  const sim = yield* simCopy(doc, deviceIds, prepare !== undefined);
  prepare?.(sim);
  yield;
  const idx = yield* OrgIndex.building(sim, now);
  yield;
  const order = [...deviceIds].flatMap((id) => sim.devices[id] ?? []).sort((a, b) => a.enrolledAt - b.enrolledAt || (a.id < b.id ? -1 : 1));
  let n = 0;
  for (const d of order) {
    applyPlan(sim, planDevice(sim, d.id, now, { reason: 'method-switched' }, idx), now, 60_000, () => `sim-${++n}`, idx);
    yield;
  }
  const access = new Map<string, string>();
  for (const l of Object.values(sim.leases)) if (l.productCode === productCode && isLive(l, now)) access.set(l.deviceId, l.lineId);
  return access;
}

function person(accountOf: AccountLookup, accountId: string): PersonRef {
  const a = accountOf(accountId);
  return { accountId, email: a?.email ?? '', name: a?.name ?? '' };
}

/** A plan without its simulation: what applying a switch decides (checks, auto-assignments); cheap. */
export type SwitchDecision = Omit<SwitchPlan, 'losesAccess' | 'keepsAccess'>;

export function decideSwitch(doc: OrgDoc, lineId: string, to: ActivationMethod, autoAssign: boolean, now: number, accountOf: AccountLookup): SwitchDecision {
  const found = findLine(doc, lineId);
  if (!found) throw new SeatkeeperError('NOT_FOUND', 'No such contract line.');
  const { contract, line } = found;
  if (line.method === to) throw new SeatkeeperError('CONFLICT', `${line.productCode} on contract ${contract.number} already uses ${to} activation.`);

  const assignedIds = new Set(Object.values(doc.assignments).filter((a) => a.lineId === lineId).map((a) => a.accountId));
  const wouldAssign: PersonRef[] = [];
  if (autoAssign && to === 'named-user') {
    // The people using the product now: whoever is signed in where a serial lease of this line is held, first come first.
    let free = Math.max(0, line.seats - assignedIds.size);
    const users = Object.values(doc.leases)
      .filter((l) => l.lineId === lineId && l.method === 'serial' && isLive(l, now) && !doc.devices[l.deviceId]?.revokedAt)
      .sort((a, b) => a.issuedAt - b.issuedAt || (a.jti < b.jti ? -1 : 1))
      .map((l) => doc.devices[l.deviceId]?.signedInAccountId)
      .filter((id): id is string => !!id && !!doc.members[id]);
    const chosen = new Set<string>();
    for (const id of users) {
      if (free === 0) break;
      if (assignedIds.has(id) || chosen.has(id)) continue;
      chosen.add(id);
      wouldAssign.push(person(accountOf, id));
      free--;
    }
  }
  return {
    lineId,
    contractId: contract.id,
    contractNumber: contract.number,
    productCode: line.productCode,
    from: line.method,
    to,
    autoAssign,
    seats: line.seats,
    assigned: assignedIds.size,
    wouldAssign,
  };
}

/**
 * The whole plan, step by step: the decision, then every device that uses or could use the
 * product simulated before and after the switch. Yields between steps (see simulateProduct).
 */
export function* planSwitchSteps(doc: OrgDoc, lineId: string, to: ActivationMethod, autoAssign: boolean, now: number, accountOf: AccountLookup): Generator<void, SwitchPlan> {
  const decision = decideSwitch(doc, lineId, to, autoAssign, now, accountOf);
  const { productCode } = decision;
  const ids = yield* productDevices(doc, productCode, now);
  const before = yield* simulateProduct(doc, productCode, ids, now);
  const assignTo = decision.wouldAssign.map((p) => p.accountId);
  const after = yield* simulateProduct(doc, productCode, ids, now, (sim) => void withSwitch(sim, lineId, to, assignTo, 'plan', now, (i) => `plan-${i}`));

  const losing: DeviceLoss[] = [];
  const keeping: string[] = [];
  for (const [deviceId, onLine] of before) {
    if (onLine !== lineId) continue;
    if (after.has(deviceId)) keeping.push(deviceId);
    else {
      const d = doc.devices[deviceId]!;
      const acc = d.signedInAccountId;
      losing.push({ deviceId, hostname: d.hostname, accountId: acc, email: acc ? (accountOf(acc)?.email ?? null) : null });
    }
  }
  const users = [...new Set(losing.map((d) => d.accountId).filter((id): id is string => !!id))].map((id) => person(accountOf, id));
  return {
    ...decision,
    losesAccess: { devices: losing.sort((a, b) => a.hostname.localeCompare(b.hostname)), users },
    keepsAccess: { devices: keeping.sort() },
  };
}

/** The whole plan at once (tests, small organizations). */
export function planSwitch(doc: OrgDoc, lineId: string, to: ActivationMethod, autoAssign: boolean, now: number, accountOf: AccountLookup): SwitchPlan {
  const steps = planSwitchSteps(doc, lineId, to, autoAssign, now, accountOf);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Sets the method and creates the auto-assignments on `doc`; returns the assignments made. */
function withSwitch(doc: OrgDoc, lineId: string, to: ActivationMethod, assignTo: string[], actorId: string, now: number, newId: (i: number) => string): Assignment[] {
  const { line } = findLine(doc, lineId)!;
  line.method = to;
  const made: Assignment[] = [];
  assignTo.forEach((accountId, i) => {
    const a: Assignment = { id: newId(i), lineId, accountId, assignedBy: actorId, assignedAt: now };
    doc.assignments[a.id] = a;
    made.push(a);
  });
  return made;
}

/**
 * Applies a plan computed on this same `doc` (inside the transaction, so nothing moved in
 * between): switches the method, makes the auto-assignments, records the switch.
 */
export function applySwitch(
  doc: OrgDoc,
  plan: SwitchPlan,
  opts: { actorId: string; now: number; newId: (prefix: string) => string; existing?: MethodSwitch },
): { switch: MethodSwitch; assignments: Assignment[] } {
  const assignments = withSwitch(doc, plan.lineId, plan.to, plan.wouldAssign.map((p) => p.accountId), opts.actorId, opts.now, () => opts.newId('asg'));
  const sw: MethodSwitch = opts.existing ?? {
    id: opts.newId('swi'),
    lineId: plan.lineId,
    from: plan.from,
    to: plan.to,
    autoAssign: plan.autoAssign,
    runAt: null,
    status: 'applied',
    createdBy: opts.actorId,
    createdAt: opts.now,
    appliedAt: opts.now,
  };
  sw.status = 'applied';
  sw.appliedAt = opts.now;
  sw.from = plan.from;
  doc.switches[sw.id] = sw;
  return { switch: sw, assignments };
}

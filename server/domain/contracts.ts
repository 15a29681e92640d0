// Contracts: creating them, changing their term and serials, adding lines and changing seat
// counts. Pure: `plan*` validates and returns the new state, the caller writes it. A line's
// activation method is never changed here: that is a planned method switch.
import type { ContractView, CreateContractBody, LineInput, ProductView, UpdateContractBody } from '../../shared/api/contracts.js';
import { SeatkeeperError } from '../../shared/errors.js';
import type { Contract, ContractLine, GlobalDoc, OrgDoc, Product } from './model.js';
import { isOrgAdmin, teamsAdministeredBy } from './permissions.js';
import { assignedByLine, assignedCount, isContractActive } from './seats.js';

/** Serial numbers are compared and stored upper-case, as registration looks them up. */
export const normalizeSerial = (s: string): string => s.trim().toUpperCase();

export function productView(p: Product): ProductView {
  return { code: p.code, name: p.name, vendor: p.vendor, kind: p.kind, needsProjectMembership: p.needsProjectMembership };
}

export function contractView(doc: OrgDoc, c: Contract, now: number): ContractView {
  const assigned = assignedByLine(doc);
  return {
    id: c.id,
    number: c.number,
    serials: [...c.serials],
    startsAt: c.startsAt,
    endsAt: c.endsAt,
    active: isContractActive(c, now),
    lines: c.lines.map((l) => ({
      id: l.id,
      productCode: l.productCode,
      productName: doc.products[l.productCode]?.name ?? l.productCode,
      seats: l.seats,
      method: l.method,
      assigned: assigned.get(l.id) ?? 0,
    })),
  };
}

/** Org admins see every contract; team admins the contracts attached to their teams. */
export function visibleContracts(doc: OrgDoc, actorId: string): Contract[] {
  const all = Object.values(doc.contracts);
  if (isOrgAdmin(doc, actorId)) return all;
  const teams = teamsAdministeredBy(doc, actorId);
  if (teams.length === 0) throw new SeatkeeperError('FORBIDDEN', 'Only administrators and team administrators may see contracts.');
  return all.filter((c) => teams.some((t) => t.contractIds.includes(c.id)));
}

export function requireContract(doc: OrgDoc, contractId: string): Contract {
  const c = doc.contracts[contractId];
  if (!c) throw new SeatkeeperError('NOT_FOUND', 'No such contract.');
  return c;
}

/** The contract, when `actorId` may see it (org admins; team admins when attached to their teams). */
export function requireVisibleContract(doc: OrgDoc, actorId: string, contractId: string): Contract {
  const c = requireContract(doc, contractId);
  if (!visibleContracts(doc, actorId).includes(c)) throw new SeatkeeperError('FORBIDDEN', `Contract ${c.number} is not attached to a team you administer.`);
  return c;
}

export function requireContractLine(doc: OrgDoc, contractId: string, lineId: string): { contract: Contract; line: ContractLine } {
  const contract = requireContract(doc, contractId);
  const line = contract.lines.find((l) => l.id === lineId);
  if (!line) throw new SeatkeeperError('NOT_FOUND', 'No such contract line.');
  return { contract, line };
}

function requireProduct(doc: OrgDoc, code: string): void {
  if (!doc.products[code]) {
    throw new SeatkeeperError('VALIDATION_FAILED', `${code} is not a product of this organization's catalog.`);
  }
}

function requireTerm(startsAt: number, endsAt: number): void {
  if (!(endsAt > startsAt)) throw new SeatkeeperError('VALIDATION_FAILED', 'A contract must end after it starts.');
}

function requireNumberFree(doc: OrgDoc, number: string, exceptId?: string): void {
  const n = number.trim().toLowerCase();
  if (Object.values(doc.contracts).some((c) => c.id !== exceptId && c.number.trim().toLowerCase() === n)) {
    throw new SeatkeeperError('CONFLICT', `This organization already has a contract numbered ${number}.`);
  }
}

/** Normalizes, de-duplicates and checks that no organization (this one included) holds them. */
export function requireSerialsFree(g: GlobalDoc, serials: string[]): string[] {
  const out = [...new Set(serials.map(normalizeSerial))];
  for (const s of out) {
    if (g.serials[s]) throw new SeatkeeperError('CONFLICT', `Serial number ${s} already belongs to a contract.`, { serial: s });
  }
  return out;
}

export interface NewContractIds {
  contract: string;
  line: () => string;
}

export function planCreateContract(doc: OrgDoc, g: GlobalDoc, body: CreateContractBody, ids: NewContractIds, now: number): Contract {
  const startsAt = body.startsAt ?? now;
  requireTerm(startsAt, body.endsAt);
  requireNumberFree(doc, body.number);
  for (const l of body.lines) requireProduct(doc, l.productCode);
  const serials = requireSerialsFree(g, body.serials);
  return {
    id: ids.contract,
    number: body.number,
    serials,
    startsAt,
    endsAt: body.endsAt,
    lines: body.lines.map((l) => ({ id: ids.line(), productCode: l.productCode, seats: l.seats, method: l.method })),
  };
}

export function applyCreateContract(doc: OrgDoc, g: GlobalDoc, c: Contract): void {
  doc.contracts[c.id] = c;
  for (const s of c.serials) g.serials[s] = doc.org.id;
}

export interface ContractUpdatePlan {
  before: Contract;
  after: Contract;
  addedSerials: string[];
  /** was active, is not any more: every lease drawn from it must go */
  ended: boolean;
  /** was not active, is now */
  started: boolean;
}

export function planUpdateContract(doc: OrgDoc, g: GlobalDoc, contractId: string, body: UpdateContractBody, now: number): ContractUpdatePlan {
  const before = requireContract(doc, contractId);
  const startsAt = body.startsAt ?? before.startsAt;
  const endsAt = body.endsAt ?? before.endsAt;
  requireTerm(startsAt, endsAt);
  if (body.number !== undefined) requireNumberFree(doc, body.number, before.id);
  const addedSerials = body.addSerials ? requireSerialsFree(g, body.addSerials) : [];
  const after: Contract = {
    ...before,
    number: body.number ?? before.number,
    startsAt,
    endsAt,
    serials: [...before.serials, ...addedSerials],
    lines: before.lines.map((l) => ({ ...l })),
  };
  const wasActive = isContractActive(before, now);
  const isActive = isContractActive(after, now);
  return { before: JSON.parse(JSON.stringify(before)) as Contract, after, addedSerials, ended: wasActive && !isActive, started: !wasActive && isActive };
}

export function applyUpdateContract(doc: OrgDoc, g: GlobalDoc, plan: ContractUpdatePlan): void {
  doc.contracts[plan.after.id] = plan.after;
  for (const s of plan.addedSerials) g.serials[s] = doc.org.id;
}

export function planAddLine(doc: OrgDoc, contractId: string, body: LineInput, id: string): { contract: Contract; line: ContractLine } {
  const contract = requireContract(doc, contractId);
  requireProduct(doc, body.productCode);
  if (contract.lines.length >= 50) throw new SeatkeeperError('VALIDATION_FAILED', 'A contract holds at most 50 lines.');
  return { contract, line: { id, productCode: body.productCode, seats: body.seats, method: body.method } };
}

export function applyAddLine(doc: OrgDoc, plan: { contract: Contract; line: ContractLine }): void {
  doc.contracts[plan.contract.id]!.lines.push(plan.line);
}

/** Seats can go down only as far as the seats assigned now. */
export function planLineSeats(doc: OrgDoc, contractId: string, lineId: string, seats: number) {
  const { contract, line } = requireContractLine(doc, contractId, lineId);
  const taken = assignedCount(doc, line.id);
  if (seats < taken) {
    const name = doc.products[line.productCode]?.name ?? line.productCode;
    throw new SeatkeeperError(
      'SEAT_LIMIT_REACHED',
      `${taken} seats of ${name} on contract ${contract.number} are assigned; unassign ${taken - seats} before reducing the line to ${seats}.`,
      { lineId: line.id, assigned: taken, requested: seats },
    );
  }
  return { contract, line, before: line.seats, after: seats };
}

export function applyLineSeats(doc: OrgDoc, plan: { contract: Contract; line: ContractLine; after: number }): void {
  doc.contracts[plan.contract.id]!.lines.find((l) => l.id === plan.line.id)!.seats = plan.after;
}

/**
 * Who holds seats of the contract, with the names of the products they hold: the people whose
 * permissions change when the contract's term ends or starts. Ordered by account id.
 */
export function seatHolders(doc: OrgDoc, contract: Contract): Array<{ accountId: string; products: string[] }> {
  const byLine = new Map(contract.lines.map((l) => [l.id, doc.products[l.productCode]?.name ?? l.productCode]));
  const held = new Map<string, Set<string>>();
  for (const a of Object.values(doc.assignments)) {
    const name = byLine.get(a.lineId);
    if (name === undefined) continue;
    let set = held.get(a.accountId);
    if (!set) held.set(a.accountId, (set = new Set()));
    set.add(name);
  }
  return [...held.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([accountId, names]) => ({ accountId, products: [...names].sort() }));
}

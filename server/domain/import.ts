// Bulk import: members (email, name, role, team, products) and seat assignments (email, product,
// contract). Each row is planned whole against the document as the rows before it left it, with
// the same rules as the single-item routes (planAssign, requireRoleChange, planTeamMembership,
// planInvite), then applied whole, or refused with its line number and nothing of it applied.
// Rerunning a file finds everything in place and answers `unchanged`.
import { SeatkeeperError } from '../../shared/errors.js';
import { Email, Role } from '../../shared/api/common.js';
import type { ImportKind, ImportLineSeats, ImportRow, ImportRowResult } from '../../shared/api/import.js';
import { applyAssign, planAssign, productName, type SeatLookup } from './assignments.js';
import { editDistance, findNearMiss } from './email-match.js';
import { applyInvite, planInvite } from './invitations.js';
import type { Assignment, Invitation, OrgDoc, Role as RoleT } from './model.js';
import { canManageLine } from './permissions.js';
import { requireRoleChange } from './roles.js';
import { assignedByLine, isContractActive, type LineRef } from './seats.js';
import { applyTeamMembership, planTeamMembership, type TeamMembershipPlan } from './teams.js';

export interface ImportEnv {
  actorId: string;
  now: number;
  ids: (prefix: string) => string;
  /** the account an email belongs to (primary or alias), wherever it is a member */
  accountByEmail(email: string): { id: string; email: string; emailVerifiedAt?: number | null } | undefined;
  /** emails of the organization's members, for near-miss warnings */
  memberEmails: readonly string[];
  invitationTtlMs: number;
  /** a fresh invitation secret and its stored hash */
  newToken(): { token: string; hash: string };
}

/** What a done row changed, for the audit log, the agents and the mail. */
export type ImportEffect =
  | { kind: 'assign'; ref: LineRef; assignment: Assignment }
  | { kind: 'role'; accountId: string; before: RoleT; after: RoleT }
  | { kind: 'team'; plan: TeamMembershipPlan }
  | { kind: 'invite'; invitation: Invitation; token: string };

export interface ImportOutcome {
  results: ImportRowResult[];
  /** per done row, what it changed (same order as the done results) */
  effects: ImportEffect[][];
  seats: ImportLineSeats[];
}

interface RowPlan {
  changes: string[];
  warnings: string[];
  /**
   * Applies the row to each of `docs` (the planning document first, then the transaction's, when
   * they differ); called only when every part of it planned.
   */
  apply(docs: OrgDoc[]): ImportEffect[];
}

/** A seat shortfall: the row is refused, and the product counted short. */
class ShortOfSeats extends SeatkeeperError {
  constructor(
    readonly productCode: string,
    message: string,
  ) {
    super('SEAT_LIMIT_REACHED', message);
  }
}

const refuse = (code: ConstructorParameters<typeof SeatkeeperError>[0], message: string) => new SeatkeeperError(code, message);

/** Indexes kept up to date while rows apply, so 5,000 rows are not 5,000 scans of the document. */
class Index implements SeatLookup {
  readonly holders = new Map<string, Set<string>>();
  /** line id → seats assigned */
  readonly seatCounts: Map<string, number>;
  readonly pending = new Map<string, Invitation>();
  /** every invitation by email, whatever its state */
  readonly invitationsByEmail = new Map<string, Invitation[]>();
  readonly teamsByName = new Map<string, string>();
  constructor(readonly doc: OrgDoc, now: number) {
    for (const a of Object.values(doc.assignments)) this.hold(a.lineId, a.accountId);
    this.seatCounts = assignedByLine(doc);
    for (const inv of Object.values(doc.invitations)) {
      if (inv.status === 'pending' && inv.expiresAt > now) this.pending.set(inv.email, inv);
      this.invited(inv);
    }
    for (const t of Object.values(doc.teams)) this.teamsByName.set(t.name.trim().toLowerCase(), t.id);
  }
  hold(lineId: string, accountId: string): void {
    let s = this.holders.get(lineId);
    if (!s) this.holders.set(lineId, (s = new Set()));
    s.add(accountId);
  }
  invited(inv: Invitation): void {
    const list = this.invitationsByEmail.get(inv.email);
    if (list) list.push(inv);
    else this.invitationsByEmail.set(inv.email, [inv]);
  }
  /**
   * The document as the invitation rules see it for `email`: its invitations only. Those rules
   * look at invitations only for the same email (a pending one conflicts); scanning all of them
   * for each of 5,000 rows made an import quadratic.
   */
  inviteView(email: string): OrgDoc {
    const own = this.invitationsByEmail.get(email) ?? [];
    return { ...this.doc, invitations: Object.fromEntries(own.map((i) => [i.id, i])) };
  }
  took(lineId: string, accountId: string): void {
    this.hold(lineId, accountId);
    this.seatCounts.set(lineId, (this.seatCounts.get(lineId) ?? 0) + 1);
  }
  holds(lineId: string, accountId: string): boolean {
    return this.holders.get(lineId)?.has(accountId) ?? false;
  }
  assigned(lineId: string): number {
    return this.seatCounts.get(lineId) ?? 0;
  }
  free(ref: LineRef): number {
    return Math.max(0, ref.line.seats - (this.seatCounts.get(ref.line.id) ?? 0));
  }
}

function cell(v: string | undefined): string {
  return (v ?? '').trim();
}

function parseEmail(raw: string): string {
  const r = Email.safeParse(raw);
  if (!r.success) throw refuse('VALIDATION_FAILED', raw ? `"${raw.slice(0, 80)}" is not an email address.` : 'The email is empty.');
  return r.data;
}

function parseRole(raw: string): RoleT | undefined {
  if (!raw) return undefined;
  const r = Role.safeParse(raw.toLowerCase());
  if (!r.success) throw refuse('VALIDATION_FAILED', `Role "${raw.slice(0, 40)}" is not owner, admin or member.`);
  return r.data;
}

function parseProducts(raw: string): string[] {
  const codes = raw.split(/[;,\s]+/).filter(Boolean).map((c) => c.toUpperCase());
  for (const c of codes) if (!/^[A-Z0-9-]{1,40}$/.test(c)) throw refuse('VALIDATION_FAILED', `"${c.slice(0, 40)}" is not a product code.`);
  return [...new Set(codes)];
}

function teamId(ix: Index, raw: string): string | undefined {
  if (!raw) return undefined;
  const id = ix.teamsByName.get(raw.toLowerCase());
  if (id) return id;
  const close = [...ix.teamsByName.keys()].find((n) => editDistance(n, raw.toLowerCase(), 2) <= 2);
  throw refuse('NOT_FOUND', `No team named "${raw.slice(0, 80)}"${close ? `; did you mean "${ix.doc.teams[ix.teamsByName.get(close)!]!.name}"?` : ''}.`);
}

/** Active lines of a product (of one contract, when given) the actor may manage. */
function linesOf(doc: OrgDoc, env: ImportEnv, code: string, contract?: string): LineRef[] {
  if (!doc.products[code] && !Object.values(doc.contracts).some((c) => c.lines.some((l) => l.productCode === code))) {
    throw refuse('NOT_FOUND', `No product ${code} in this organization.`);
  }
  const refs: LineRef[] = [];
  for (const c of Object.values(doc.contracts)) {
    if (contract && c.number !== contract) continue;
    if (!isContractActive(c, env.now)) continue;
    for (const line of c.lines) if (line.productCode === code && canManageLine(doc, env.actorId, line.id)) refs.push({ contract: c, line });
  }
  if (!refs.length) throw refuse('CONTRACT_NOT_ACTIVE', `No active contract line of ${code}${contract ? ` on contract ${contract}` : ''} you may assign.`);
  return refs;
}

/** The seat to give `accountId` of `code`: null when they hold one already. */
function seatFor(ix: Index, env: ImportEnv, accountId: string, code: string, contract?: string): LineRef | null {
  const refs = linesOf(ix.doc, env, code, contract);
  if (refs.some((r) => ix.holds(r.line.id, accountId))) return null;
  const ref = refs.find((r) => ix.free(r) > 0);
  if (!ref) {
    const owned = refs.reduce((n, r) => n + r.line.seats, 0);
    throw new ShortOfSeats(code, `No free seat of ${code}: all ${owned} are assigned (seat shortfall).`);
  }
  return ref;
}

function planAssignments(ix: Index, env: ImportEnv, accountId: string, codes: string[], contract?: string) {
  const plans = [];
  for (const code of codes) {
    const ref = seatFor(ix, env, accountId, code, contract);
    if (!ref) continue;
    // The same rules as POST /assignments (who may assign, contract active, not held, seats).
    plans.push(planAssign(ix.doc, { actorId: env.actorId, lineId: ref.line.id, accountId, now: env.now, id: env.ids('asg') }, ix));
  }
  return plans;
}

function planMemberRow(ix: Index, env: ImportEnv, row: ImportRow): RowPlan {
  const doc = ix.doc;
  const email = parseEmail(cell(row.email));
  const role = parseRole(cell(row.role));
  const team = teamId(ix, cell(row.team));
  const codes = parseProducts(cell(row.products));
  const warnings: string[] = [];
  const account = env.accountByEmail(email);
  const name = cell(row.name);

  if (account && doc.members[account.id]) {
    const accountId = account.id;
    const member = doc.members[accountId]!;
    const changes: string[] = [];
    if (name && account.email !== email) warnings.push(`${email} is an alias of ${account.email}.`);
    const roleChange = role && role !== member.role ? { before: member.role, after: role } : null;
    if (roleChange) {
      requireRoleChange(doc, env.actorId, accountId, role!);
      changes.push(`role ${roleChange.before} → ${roleChange.after}`);
    }
    const teamPlan = team ? planTeamMembership(doc, env.actorId, team, accountId, true) : null;
    if (teamPlan) changes.push(`joins team ${teamPlan.teamName}`);
    const seats = planAssignments(ix, env, accountId, codes);
    for (const p of seats) changes.push(`seat of ${productName(doc, p.ref)} (contract ${p.ref.contract.number})`);
    return {
      changes,
      warnings,
      apply(docs) {
        const effects: ImportEffect[] = [];
        for (const d of docs) {
          if (roleChange) d.members[accountId]!.role = roleChange.after;
          if (teamPlan) applyTeamMembership(d, teamPlan);
          for (const p of seats) applyAssign(d, d === doc ? p : { ...p, added: { ...p.added } });
        }
        if (roleChange) effects.push({ kind: 'role', accountId, ...roleChange });
        if (teamPlan) effects.push({ kind: 'team', plan: teamPlan });
        for (const p of seats) {
          ix.took(p.ref.line.id, accountId);
          effects.push({ kind: 'assign', ref: p.ref, assignment: p.added });
        }
        return effects;
      },
    };
  }

  // Not a member yet: an invitation, with the seats to give on acceptance.
  const lineIds: string[] = [];
  for (const code of codes) {
    const refs = linesOf(doc, env, code);
    const ref = refs.find((r) => ix.free(r) > 0) ?? refs[0]!;
    if (ix.free(ref) <= 0) warnings.push(`No free seat of ${code} now: the seat is given on acceptance only if one is free then (seat shortfall).`);
    lineIds.push(ref.line.id);
  }
  const pending = ix.pending.get(email);
  if (pending) {
    const same = pending.role === (role ?? 'member') && (pending.teamId ?? undefined) === team && lineIds.every((l) => pending.lineIds.includes(l));
    if (!same) warnings.push('A pending invitation with other settings exists; resend or cancel it in the portal to change it.');
    return { changes: [], warnings: [...warnings, 'invitation pending'], apply: () => [] };
  }
  const near = findNearMiss(email, env.memberEmails, doc.org.aliasDomains ?? []);
  if (near) warnings.push(`${email} is not a member but looks like ${near}, who is: a typo?`);
  // The same rules as POST /invitations (who may invite whom into which team, which lines).
  const { token, hash } = env.newToken();
  const invitation = planInvite(ix.inviteView(email), {
    actorId: env.actorId,
    body: { email, role: role ?? 'member', lineIds, ...(team ? { teamId: team } : {}) },
    memberAccountId: account?.id,
    id: env.ids('inv'),
    tokenHash: hash,
    now: env.now,
    ttlMs: env.invitationTtlMs,
  });
  return {
    changes: [`invite as ${invitation.role}${team ? ` into team ${doc.teams[team]!.name}` : ''}${codes.length ? ` with ${codes.join(', ')}` : ''}`],
    warnings,
    apply(docs) {
      for (const d of docs) applyInvite(d, d === doc ? invitation : structuredClone(invitation));
      ix.pending.set(email, invitation);
      ix.invited(invitation);
      return [{ kind: 'invite', invitation, token }];
    },
  };
}

function planAssignmentRow(ix: Index, env: ImportEnv, row: ImportRow): RowPlan {
  const email = parseEmail(cell(row.email));
  const [code, ...more] = parseProducts(cell(row.product));
  if (!code || more.length) throw refuse('VALIDATION_FAILED', 'Give exactly one product code per row.');
  const contract = cell(row.contract) || undefined;
  const account = env.accountByEmail(email);
  if (!account || !ix.doc.members[account.id]) {
    const near = findNearMiss(email, env.memberEmails, ix.doc.org.aliasDomains ?? []);
    throw refuse('NOT_FOUND', `${email} is not a member${near ? `; did you mean ${near}?` : ''}.`);
  }
  // As for POST /assignments: a seat goes to a proven address only.
  if (account.emailVerifiedAt === null) throw refuse('EMAIL_NOT_VERIFIED', `${email} has not verified their address yet.`);
  const plans = planAssignments(ix, env, account.id, [code], contract);
  const accountId = account.id;
  return {
    changes: plans.map((p) => `seat of ${productName(ix.doc, p.ref)} (contract ${p.ref.contract.number})`),
    warnings: [],
    apply(docs) {
      for (const d of docs) for (const p of plans) applyAssign(d, d === ix.doc ? p : { ...p, added: { ...p.added } });
      return plans.map((p) => {
        ix.took(p.ref.line.id, accountId);
        return { kind: 'assign' as const, ref: p.ref, assignment: p.added };
      });
    },
  };
}

/** Plans one row against `ix.doc` as it is now; throws SeatkeeperError to refuse it. */
function planImportRow(ix: Index, env: ImportEnv, kind: ImportKind, row: ImportRow): RowPlan {
  return kind === 'members' ? planMemberRow(ix, env, row) : planAssignmentRow(ix, env, row);
}

/**
 * Plans and applies `rows` in order on `doc`, and each applied row on `target` too. A row either
 * applies whole or is refused with nothing of it applied. A dry run passes a copy and no target;
 * an import passes a plain copy to plan on and the transaction's document as the target, because
 * the rules' scans over thousands of records are much cheaper on a plain object than through the
 * store's change tracking.
 */
export function importRows(doc: OrgDoc, env: ImportEnv, kind: ImportKind, rows: readonly ImportRow[], target?: OrgDoc): ImportOutcome {
  const docs = target ? [doc, target] : [doc];
  const ix = new Index(doc, env.now);
  const freeBefore = new Map<string, number>();
  const assignedBefore = new Map(ix.seatCounts);
  for (const c of Object.values(doc.contracts)) for (const line of c.lines) freeBefore.set(line.id, ix.free({ contract: c, line }));
  const short = new Map<string, number>();
  const results: ImportRowResult[] = [];
  const effects: ImportEffect[][] = [];
  for (const row of rows) {
    const email = cell(row.email).toLowerCase();
    try {
      const plan = planImportRow(ix, env, kind, row);
      if (plan.changes.length === 0) {
        results.push({ line: row.line, email, status: 'unchanged', changes: [], warnings: plan.warnings });
        continue;
      }
      effects.push(plan.apply(docs));
      results.push({ line: row.line, email, status: 'done', changes: plan.changes, warnings: plan.warnings });
    } catch (e) {
      if (!(e instanceof SeatkeeperError)) throw e;
      if (e instanceof ShortOfSeats) short.set(e.productCode, (short.get(e.productCode) ?? 0) + 1);
      results.push({ line: row.line, email, status: 'refused', code: e.code, reason: e.message, changes: [], warnings: [] });
    }
  }
  const seats: ImportLineSeats[] = [];
  for (const c of Object.values(doc.contracts)) {
    for (const line of c.lines) {
      const taken = (ix.seatCounts.get(line.id) ?? 0) - (assignedBefore.get(line.id) ?? 0);
      // A product's shortfall is told once, on its first line.
      const s = short.get(line.productCode) ?? 0;
      short.delete(line.productCode);
      if (taken > 0 || s > 0) seats.push({ lineId: line.id, productCode: line.productCode, contractNumber: c.number, free: freeBefore.get(line.id) ?? 0, taken, short: s });
    }
  }
  return { results, effects, seats };
}

// The pairs of addresses an organization's admins are shown: an invitation accepted into an
// account with another address, and a signed-in person without a seat while a near miss of their
// address holds one (with a one-click fix). A bounded list: a script repeating itself must not
// grow the organization's document forever.
import { SeatkeeperError } from '../../shared/errors.js';
import { nearMissesOf } from './email-match.js';
import { planLineAssignments } from './invitations.js';
import type { Account, EmailMismatch, OrgDoc } from './model.js';
import { projectLineIds } from './teams.js';

const KEPT = 500;

/** Adds the pair unless the same open pair is listed already. */
export function recordMismatch(doc: OrgDoc, m: EmailMismatch): boolean {
  if (doc.mismatches.some((x) => !x.fixed && x.attempted === m.attempted && x.suggestion === m.suggestion && x.context === m.context)) return false;
  doc.mismatches.push(m);
  if (doc.mismatches.length > KEPT) doc.mismatches.splice(0, doc.mismatches.length - KEPT);
  return true;
}

/**
 * Near misses of the member `accountId`'s address that hold what they do not: a seat (another
 * member) or a pending invitation with products, while `accountId` holds no seat. Only in an
 * organization the account belongs to, so it tells nobody about another organization's people.
 */
export function noSeatNearMisses(doc: OrgDoc, accounts: Readonly<Record<string, Account>>, accountId: string): string[] {
  const me = accounts[accountId];
  if (!me || !doc.members[accountId]) return [];
  if (Object.values(doc.assignments).some((a) => a.accountId === accountId)) return [];
  const holders = new Set(Object.values(doc.assignments).map((a) => a.accountId));
  const known = [
    ...[...holders].filter((id) => id !== accountId && doc.members[id]).map((id) => accounts[id]?.email).filter((e): e is string => !!e),
    ...Object.values(doc.invitations)
      .filter((i) => i.status === 'pending' && i.lineIds.length > 0)
      .map((i) => i.email),
  ];
  return nearMissesOf(me.email, known, doc.org.aliasDomains);
}

export interface MismatchFixPlan {
  mismatchId: string;
  /** the account the seats and invitations belong to */
  toAccountId: string;
  /** the near-miss account whose seats move, if it is one */
  fromAccountId: string | null;
  /** assignments that move to `toAccountId` (those of lines it holds already stay) */
  moveAssignmentIds: string[];
  /** pending invitations to the near-miss address, given to `toAccountId` now */
  invitations: Array<{ id: string; teamId: string | null; assign: Array<{ lineId: string; productCode: string }> }>;
  /** lines of two-tier products whose project membership changes (team joined) */
  projectLines: string[];
}

/**
 * The one-click fix of a 'no-seat' pair: the near miss's seats move to the signed-in account and
 * its pending invitations are given to it (team and products as seats allow; the role stays the
 * member's: an admin changes roles on purpose, not by a fix).
 */
export function planMismatchFix(doc: OrgDoc, accounts: Readonly<Record<string, Account>>, mismatchId: string, now: number): MismatchFixPlan {
  const m = doc.mismatches.find((x) => x.id === mismatchId);
  if (!m) throw new SeatkeeperError('NOT_FOUND', 'No such mismatch.');
  if (m.fixed) throw new SeatkeeperError('CONFLICT', 'This pair has been fixed already.');
  if (m.context !== 'no-seat') throw new SeatkeeperError('CONFLICT', 'Only a member without a seat beside a near miss that holds one has a fix.');
  const to = Object.values(accounts).find((a) => a.email === m.attempted && doc.members[a.id]);
  if (!to) throw new SeatkeeperError('NOT_FOUND', `${m.attempted} is no longer a member.`);
  const from = Object.values(accounts).find((a) => a.email === m.suggestion && doc.members[a.id] && a.id !== to.id) ?? null;
  const held = new Set(Object.values(doc.assignments).filter((a) => a.accountId === to.id).map((a) => a.lineId));
  const moveAssignmentIds: string[] = [];
  if (from) {
    for (const a of Object.values(doc.assignments)) {
      if (a.accountId !== from.id || held.has(a.lineId)) continue;
      held.add(a.lineId);
      moveAssignmentIds.push(a.id);
    }
  }
  const invitations: MismatchFixPlan['invitations'] = [];
  const projectLines: string[] = [];
  for (const inv of Object.values(doc.invitations)) {
    if (inv.status !== 'pending' || inv.email !== m.suggestion) continue;
    const lines = planLineAssignments(doc, to.id, inv.lineIds.filter((l) => !held.has(l)), now);
    for (const l of lines.assign) held.add(l.lineId);
    const team = inv.teamId ? doc.teams[inv.teamId] : undefined;
    if (team) projectLines.push(...projectLineIds(doc, team.contractIds));
    invitations.push({ id: inv.id, teamId: team?.id ?? null, assign: lines.assign });
  }
  if (moveAssignmentIds.length === 0 && invitations.length === 0) throw new SeatkeeperError('CONFLICT', `${m.suggestion} holds nothing to move any more.`);
  return { mismatchId, toAccountId: to.id, fromAccountId: from?.id ?? null, moveAssignmentIds, invitations, projectLines };
}

export function applyMismatchFix(doc: OrgDoc, plan: MismatchFixPlan, actorId: string, now: number, newAssignmentId: () => string): string[] {
  const created: string[] = [];
  for (const id of plan.moveAssignmentIds) doc.assignments[id]!.accountId = plan.toAccountId;
  for (const i of plan.invitations) {
    const inv = doc.invitations[i.id]!;
    if (i.teamId && !doc.teams[i.teamId]!.memberIds.includes(plan.toAccountId)) doc.teams[i.teamId]!.memberIds.push(plan.toAccountId);
    for (const l of i.assign) {
      const id = newAssignmentId();
      doc.assignments[id] = { id, lineId: l.lineId, accountId: plan.toAccountId, assignedBy: actorId, assignedAt: now };
      created.push(id);
    }
    inv.status = 'accepted';
    inv.acceptedBy = plan.toAccountId;
  }
  const m = doc.mismatches.find((x) => x.id === plan.mismatchId)!;
  m.fixed = { at: now, by: actorId };
  return created;
}

// Seat assignments (assign, unassign, reassign in one step), the seat summary, and what a member
// holds. Rules live in domain/assignments.ts; here: the transaction, then events, feed and mail.
import { assignCandidates, requireNearMissConfirmed } from '../../domain/near-miss.js';
import { requireVerified } from '../../domain/account-mail.js';
import { AssignBody, ListAssignmentsQuery, ReassignBody, type AssignmentView, type MyProduct } from '../../../shared/api/assignments.js';
import { auditEvent } from '../../domain/audit.js';
import {
  applyAssign,
  applyReassign,
  applyUnassign,
  planAssign,
  planReassign,
  planUnassign,
  productName,
  visibleAssignments,
} from '../../domain/assignments.js';
import { findLine, isContractActive, seatSummary, type LineRef } from '../../domain/seats.js';
import { mailPermissionsChanged, seatGiven } from '../../mail/permissions-mail.js';
import type { Services } from '../../core/services.js';
import type { ActivationMethod, Assignment, OrgDoc, RevokeReason } from '../../domain/model.js';
import type { Router } from '../router.js';
import { seatLimitsReached } from '../../domain/webhooks.js';
import { announceSeatLimits } from './webhooks.js';

const base = '/api/v1/orgs/:orgId';

function view(s: Services, doc: OrgDoc, a: Assignment): AssignmentView {
  const ref = findLine(doc, a.lineId);
  const acc = s.store.global().accounts[a.accountId];
  return {
    id: a.id,
    lineId: a.lineId,
    contractId: ref?.contract.id ?? '',
    contractNumber: ref?.contract.number ?? '',
    productCode: ref?.line.productCode ?? '',
    productName: ref ? productName(doc, ref) : '',
    method: ref?.line.method ?? 'named-user',
    accountId: a.accountId,
    email: acc?.email ?? '',
    name: acc?.name ?? '',
    assignedBy: a.assignedBy,
    assignedAt: a.assignedAt,
  };
}

/** What the audit log keeps of an assignment: enough to read it without the contract at hand. */
function auditShape(doc: OrgDoc, ref: LineRef, a: Assignment) {
  return { ...a, productCode: ref.line.productCode, contractId: ref.contract.id, contractNumber: ref.contract.number };
}

function seatWords(doc: OrgDoc, ref: LineRef): string {
  return `${productName(doc, ref)} (contract ${ref.contract.number})`;
}

function emailOf(s: Services, accountId: string): string {
  return s.store.global().accounts[accountId]?.email ?? accountId;
}

/**
 * After a seat changed: the gateway recomputes the devices of `accountIds` (`reason` says why a
 * seat was taken away; a grant has none), and the dashboard's feed hears of it, about `accountId`.
 */
function seatChanged(s: Services, orgId: string, at: number, ref: LineRef, change: { reason?: RevokeReason; accountIds: string[]; accountId: string; text: string }): void {
  s.gateway.rightsChanged({ orgId, ...(change.reason ? { reason: change.reason } : {}), accountIds: change.accountIds });
  s.events.emit('feed', { orgId, at, kind: 'assignment', text: change.text, productCode: ref.line.productCode, accountId: change.accountId });
}

export function registerAssignmentsRoutes(r: Router): void {
  r.add({
    method: 'GET',
    url: `${base}/assignments`,
    access: 'member',
    query: ListAssignmentsQuery,
    summary: 'Seat assignments, filtered by line, account or product (team admins: their teams).',
    handler: ({ s, org, account, query }) => {
      const doc = org.doc;
      const list = visibleAssignments(doc, account.id)
        .filter((a) => (query.lineId === undefined || a.lineId === query.lineId) && (query.accountId === undefined || a.accountId === query.accountId))
        .map((a) => view(s, doc, a))
        .filter((v) => query.productCode === undefined || v.productCode === query.productCode)
        .sort((a, b) => a.assignedAt - b.assignedAt || a.id.localeCompare(b.id));
      return { assignments: list };
    },
  });

  r.add({
    method: 'POST',
    url: `${base}/assignments`,
    access: 'member',
    body: AssignBody,
    status: 201,
    summary: 'Assign a seat of a contract line to a member (admins; team admins within their teams).',
    async handler({ s, org, account, body }) {
      const now = s.clock();
      const plan = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const p = planAssign(doc, { actorId: account.id, lineId: body.lineId, accountId: body.accountId, now, id: s.ids('asg') });
        const accounts = t.global().accounts;
        // A seat goes to a proven address only: anyone may register any address.
        if (accounts[body.accountId]) requireVerified(accounts[body.accountId]!, 'getting a seat');
        requireNearMissConfirmed(accounts[body.accountId]?.email ?? body.accountId, assignCandidates(doc, accounts, body.accountId), body.confirmNearMiss);
        applyAssign(doc, p);
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'assignment.create', p.added.id, null, auditShape(doc, p.ref, p.added)));
        return { ...p, limits: seatLimitsReached(doc, [p.ref.line.id]) };
      });
      const doc = s.store.org(org.id)!;
      const what = seatWords(doc, plan.ref);
      const to = plan.added.accountId;
      seatChanged(s, org.id, now, plan.ref, { accountIds: [to], accountId: to, text: `${account.email} assigned ${what} to ${emailOf(s, to)}.` });
      announceSeatLimits(s, org.id, now, plan.limits);
      await mailPermissionsChanged(s, to, doc.org.name, [seatGiven(what, plan.ref.line.method)]);
      return view(s, doc, plan.added);
    },
  });

  r.add({
    method: 'DELETE',
    url: `${base}/assignments/:assignmentId`,
    access: 'member',
    summary: "Unassign a seat; the holder's devices lose the lease at once.",
    async handler({ s, org, account, params }) {
      const now = s.clock();
      const plan = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const p = planUnassign(doc, account.id, params.assignmentId!);
        applyUnassign(doc, p);
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'assignment.delete', p.removed.id, auditShape(doc, p.ref, p.removed), null));
        return p;
      });
      const doc = s.store.org(org.id)!;
      const what = seatWords(doc, plan.ref);
      const from = plan.removed.accountId;
      seatChanged(s, org.id, now, plan.ref, { reason: 'unassigned', accountIds: [from], accountId: from, text: `${account.email} unassigned ${what} from ${emailOf(s, from)}.` });
      await mailPermissionsChanged(s, from, doc.org.name, [`Your seat of ${what} was removed.`]);
      return { ok: true };
    },
  });

  r.add({
    method: 'POST',
    url: `${base}/assignments/:assignmentId/reassign`,
    access: 'member',
    body: ReassignBody,
    summary: 'Move a seat to another member in one step (works on a full line).',
    async handler({ s, org, account, params, body }) {
      const now = s.clock();
      const plan = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const p = planReassign(doc, { actorId: account.id, assignmentId: params.assignmentId!, accountId: body.accountId, now, id: s.ids('asg') });
        applyReassign(doc, p);
        t.audit(
          auditEvent(s.ids, now, org.id, account.id, 'assignment.reassign', p.removed.id, auditShape(doc, p.ref, p.removed), auditShape(doc, p.ref, p.added)),
        );
        return p;
      });
      const doc = s.store.org(org.id)!;
      const what = seatWords(doc, plan.ref);
      const from = plan.removed.accountId;
      const to = plan.added.accountId;
      seatChanged(s, org.id, now, plan.ref, { reason: 'reassigned', accountIds: [from, to], accountId: to, text: `${account.email} reassigned ${what} from ${emailOf(s, from)} to ${emailOf(s, to)}.` });
      await Promise.all([
        mailPermissionsChanged(s, from, doc.org.name, [`Your seat of ${what} was reassigned to someone else.`]),
        mailPermissionsChanged(s, to, doc.org.name, [seatGiven(what, plan.ref.line.method)]),
      ]);
      return view(s, doc, plan.added);
    },
  });

  r.add({
    method: 'GET',
    url: `${base}/seats`,
    access: 'admin',
    summary: 'Seats per product (active contracts) and per line: owned, assigned, in use now, free.',
    handler: ({ s, org }) => seatSummary(org.doc, s.gateway.presence.inUseByLine(org.id), s.clock()),
  });

  r.add({
    method: 'GET',
    url: `${base}/me/products`,
    access: 'member',
    summary: 'What I may use here: my assigned seats and the serial-activated products of the organization.',
    handler: ({ s, org, account }) => {
      const doc = org.doc;
      const now = s.clock();
      const mine = new Map<string, Assignment>();
      for (const a of Object.values(doc.assignments)) if (a.accountId === account.id) mine.set(a.lineId, a);
      const products: MyProduct[] = [];
      for (const c of Object.values(doc.contracts)) {
        const active = isContractActive(c, now);
        for (const line of c.lines) {
          const a = mine.get(line.id);
          if (!a && !(line.method === 'serial' && active)) continue;
          const p = doc.products[line.productCode];
          const ref = { contract: c, line };
          const twoTier = p?.needsProjectMembership ?? false;
          // The project team of a two-tier product is a team attached to its contract.
          const projectMember = twoTier
            ? Object.values(doc.teams).some((t) => t.contractIds.includes(c.id) && t.memberIds.includes(account.id))
            : null;
          products.push({
            productCode: line.productCode,
            productName: productName(doc, ref),
            vendor: p?.vendor ?? '',
            kind: p?.kind ?? 'desktop',
            needsProjectMembership: twoTier,
            projectMember,
            lineId: line.id,
            contractId: c.id,
            contractNumber: c.number,
            method: line.method,
            active,
            access: a ? 'assigned' : 'serial',
            assignedAt: a?.assignedAt ?? null,
            note: myNote(a !== undefined, line.method, active, projectMember),
          });
        }
      }
      products.sort((x, y) => x.productName.localeCompare(y.productName) || x.contractNumber.localeCompare(y.contractNumber));
      return { products };
    },
  });
}

function myNote(assigned: boolean, method: ActivationMethod, active: boolean, projectMember: boolean | null): string {
  if (!active) return 'The contract is not active; this seat gives no access now.';
  let note =
    method === 'serial'
      ? "Available on enrolled devices activated with the contract's serial number."
      : 'Assigned to you: sign in with your Seatkeeper account on an enrolled workstation.';
  if (method === 'serial' && assigned) note += ' A seat is also assigned to you for when the line switches to named-user.';
  if (projectMember === false) note += ' You also need to be added to the project team to collaborate; ask an administrator.';
  if (projectMember === true) note += ' You are a member of the project team.';
  return note;
}

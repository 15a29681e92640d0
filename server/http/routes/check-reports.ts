// Reports from the `check` answers agents report: idle seats (JSON or CSV) and the action that
// reclaims one (unassign, tell the holder by mail), refused checks (JSON or CSV) and the
// organization's alert threshold for them. Admins of the organization only.
import { SeatkeeperError } from '../../../shared/errors.js';
import {
  DenialsQuery,
  DenialThresholdBody,
  IdleSeatsQuery,
  ReclaimBody,
  type DenialsReport,
  type IdleSeatsReport,
  type ReclaimResult,
} from '../../../shared/api/check-reports.js';
import { applyUnassign, planUnassign, productName } from '../../domain/assignments.js';
import { auditEvent } from '../../domain/audit.js';
import { denialsReport, idleDaysOf, idleSeats } from '../../domain/check-reports.js';
import { toCsv } from '../../domain/reports.js';
import { checkUseLimits } from '../../gateway/usage-report.js';
import { mailPermissionsChanged } from '../../mail/permissions-mail.js';
import type { Router } from '../router.js';

const base = '/api/v1/orgs/:orgId/reports';
/** JSON answers list this many refusal records at most; the CSV has them all. */
const DENIAL_ROWS_JSON = 1000;
const iso = (t: number | null) => (t === null ? '' : new Date(t).toISOString());

export function registerCheckReportsRoutes(r: Router): void {
  r.add({
    method: 'GET',
    url: `${base}/idle-seats`,
    access: 'admin',
    query: IdleSeatsQuery,
    summary: "Seats whose holder has not run the product for `days` days (from the agents' check counts; never used: since assigned); format=csv for a spreadsheet.",
    handler({ s, org, query, reply }): IdleSeatsReport | string {
      const now = s.clock();
      const rows = idleSeats(org.doc, s.store.global().accounts, now, query.days);
      if (query.format === 'json') return { days: query.days, asOf: now, rows };
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="idle-seats-${query.days}d.csv"`);
      return toCsv(
        ['assignment', 'email', 'name', 'product', 'contract', 'assigned_at', 'last_used_at', 'idle_days'],
        rows.map((x) => [x.assignmentId, x.email, x.name, x.productCode, x.contractNumber, iso(x.assignedAt), iso(x.lastUsedAt), x.idleDays]),
      );
    },
  });

  r.add({
    method: 'POST',
    url: `${base}/idle-seats/:assignmentId/reclaim`,
    access: 'admin',
    body: ReclaimBody,
    summary: 'Reclaim an idle seat: unassign it (the holder loses the lease at once) and tell the holder by mail; idleDays refuses it (409) unless still idle that long.',
    async handler({ s, org, account, params, body }): Promise<ReclaimResult> {
      const now = s.clock();
      const done = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const idle = idleDaysOf(doc, params.assignmentId!, now);
        // Checked again inside the transaction: the holder may have used it since the report was read.
        if (idle !== null && body.idleDays !== undefined && idle < body.idleDays) {
          throw new SeatkeeperError('CONFLICT', `That seat was used ${idle} days ago, less than the ${body.idleDays} days asked: it is not idle.`, { idleDays: idle });
        }
        const plan = planUnassign(doc, account.id, params.assignmentId!);
        applyUnassign(doc, plan);
        const what = `${productName(doc, plan.ref)} (contract ${plan.ref.contract.number})`;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'assignment.reclaim', plan.removed.id, { ...plan.removed, productCode: plan.ref.line.productCode, idleDays: idle }, null));
        return { plan, what, idle: idle ?? 0, orgName: doc.org.name };
      });
      const from = done.plan.removed.accountId;
      const email = s.store.global().accounts[from]?.email ?? from;
      s.gateway.rightsChanged({ orgId: org.id, reason: 'unassigned', accountIds: [from] });
      s.events.emit('feed', { orgId: org.id, at: now, kind: 'assignment', productCode: done.plan.ref.line.productCode, accountId: from, text: `${account.email} reclaimed ${done.what} from ${email} (idle ${done.idle} days).` });
      await mailPermissionsChanged(s, from, done.orgName, [`Your seat of ${done.what} was reclaimed: unused for ${done.idle} day${done.idle === 1 ? '' : 's'}. Ask an administrator if you need it again.`]);
      return { ok: true, assignmentId: done.plan.removed.id, accountId: from, productCode: done.plan.ref.line.productCode, idleDays: done.idle };
    },
  });

  r.add({
    method: 'GET',
    url: `${base}/denials`,
    access: 'admin',
    query: DenialsQuery,
    summary: 'Refused checks reported by the agents (who, where, product, reason) and their count per product per day, up to 90 days; format=csv for a spreadsheet.',
    handler({ s, org, query, reply }): DenialsReport | string {
      const v = denialsReport(org.doc, s.store.global().accounts, s.clock(), query.days, query.productCode);
      if (query.format === 'json') {
        const threshold = org.doc.org.settings.denialAlertThreshold ?? checkUseLimits(s).denialAlertThreshold;
        return { ...v, threshold, rows: v.rows.slice(0, DENIAL_ROWS_JSON) };
      }
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="denials-${v.from}-${v.to}.csv"`);
      return toCsv(
        ['day', 'product', 'reason', 'count', 'workstation', 'email', 'local_user', 'first', 'last'],
        v.rows.map((x) => [x.day, x.productCode, x.reason, x.count, x.hostname, x.email ?? '', x.user ?? '', iso(x.first), iso(x.last)]),
      );
    },
  });

  r.add({
    method: 'PUT',
    url: `${base}/denials/threshold`,
    access: 'admin',
    body: DenialThresholdBody,
    summary: 'Set how many refused checks of one product in a UTC day fire the denials.above-threshold webhook event.',
    async handler({ s, org, account, body }) {
      const now = s.clock();
      await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const before = doc.org.settings.denialAlertThreshold ?? null;
        doc.org.settings.denialAlertThreshold = body.threshold;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'org.denial-threshold', org.id, { threshold: before }, { threshold: body.threshold }));
      });
      return { threshold: body.threshold };
    },
  });
}

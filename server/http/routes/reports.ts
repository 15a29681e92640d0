// Reports: seats in use per product per day against seats owned (JSON or CSV), and the audit
// log as CSV. Admins of the organization only.
import { AuditExportQuery, UsageReportQuery, type UsageReport } from '../../../shared/api/reports.js';
import { toCsv, usageHistory, usageReport } from '../../domain/reports.js';
import type { AuditEvent } from '../../domain/model.js';
import type { Router } from '../router.js';
import { registerCheckReportsRoutes } from './check-reports.js';

const base = '/api/v1/orgs/:orgId/reports';
/** The audit store answers at most this many per query; the export pages through. */
const AUDIT_PAGE = 1000;
/** An export stops here (a year of a busy organization); narrow it with from/to for more. */
const AUDIT_EXPORT_MAX = 200_000;

export function registerReportsRoutes(r: Router): void {
  // Idle seats and refused checks, from what the agents report (check-reports.ts).
  registerCheckReportsRoutes(r);
  r.add({
    method: 'GET',
    url: `${base}/usage`,
    access: 'admin',
    query: UsageReportQuery,
    summary: 'Seats in use per product per day (peak and average) against seats owned, up to 90 days; format=csv for a spreadsheet.',
    handler({ s, org, query, reply }): UsageReport | string {
      const report = usageReport(org.doc, usageHistory(org.doc), s.clock(), query.days);
      if (query.format === 'json') return report;
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="usage-${report.from}-${report.to}.csv"`);
      return toCsv(
        ['day', 'product', 'peak', 'avg', 'owned', 'samples'],
        report.rows.map((x) => [x.day, x.productCode, x.peak, x.avg, x.owned, x.samples]),
      );
    },
  });

  r.add({
    method: 'GET',
    url: `${base}/audit.csv`,
    access: 'admin',
    query: AuditExportQuery,
    summary: 'The audit log as CSV (newest first), optionally between from and to and of one action.',
    async handler({ s, org, query, reply }) {
      const accounts = s.store.global().accounts;
      const seen = new Set<string>();
      const events: AuditEvent[] = [];
      let to = query.to;
      for (;;) {
        const page = await s.store.queryAudit(org.id, { ...query, ...(to !== undefined ? { to } : {}), limit: AUDIT_PAGE });
        const fresh = page.filter((e) => !seen.has(e.id));
        for (const e of fresh) seen.add(e.id);
        events.push(...fresh);
        // The next page starts at the oldest time seen (inclusive: ids already seen are skipped).
        if (page.length < AUDIT_PAGE || fresh.length === 0 || events.length >= AUDIT_EXPORT_MAX) break;
        to = page[page.length - 1]!.at;
      }
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit.csv"');
      return toCsv(
        ['id', 'at', 'actor', 'actor_email', 'action', 'target', 'before', 'after'],
        events.slice(0, AUDIT_EXPORT_MAX).map((e) => [e.id, new Date(e.at).toISOString(), e.actor, accounts[e.actor]?.email ?? '', e.action, e.target, e.before, e.after]),
      );
    },
  });
}

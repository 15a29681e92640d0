// The organization's audit log (append-only JSON lines kept by the store), newest first.
import { AuditQueryParams, type AuditPage } from '../../../shared/api/audit.js';
import type { Router } from '../router.js';

export function registerAuditRoutes(r: Router): void {
  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/audit',
    access: 'admin',
    query: AuditQueryParams,
    summary: 'Audit events, newest first, filtered by time range, actor, target and action (limit ≤ 1000).',
    async handler({ s, org, query }): Promise<AuditPage> {
      const events = await s.store.queryAudit(org.id, query);
      return { events: events.map(({ id, at, actor, action, target, before, after }) => ({ id, at, actor, action, target, before, after })) };
    },
  });
}

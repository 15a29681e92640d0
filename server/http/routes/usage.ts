// Seat utilization samples for the dashboard chart (doc.usage, filled by a server job).
import { UsageQuery, type UsageReply } from '../../../shared/api/usage.js';
import type { Router } from '../router.js';

export function registerUsageRoutes(r: Router): void {
  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/usage',
    access: 'admin',
    query: UsageQuery,
    summary: 'Seats in use per product and devices online over the last hours (default 24).',
    handler({ s, org, query }): UsageReply {
      const to = s.clock();
      const from = to - query.hours * 3600_000;
      const samples = org.doc.usage.filter((u) => u.at >= from && u.at <= to).map((u) => ({ at: u.at, inUse: { ...u.inUse }, devicesOnline: u.devicesOnline }));
      return { from, to, samples };
    },
  });
}

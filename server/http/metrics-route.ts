// GET /metrics for Prometheus, with `Authorization: Bearer <config.metricsToken>`. Without a
// configured token the route answers 404, exactly like a route that does not exist.
import { createHash, timingSafeEqual } from 'node:crypto';
import { SeatkeeperError } from '../../shared/errors.js';
import { metricsOf } from './metrics.js';
import type { Router } from './router.js';

const digest = (v: string) => createHash('sha256').update(v).digest();

export function registerMetricsRoute(r: Router): void {
  r.add({
    method: 'GET',
    url: '/metrics',
    access: 'public',
    summary: 'Prometheus metrics (agents connected, pushes sent and acked, ack latency, store commit latency, sign-ins refused, event-loop lag); bearer config.metricsToken.',
    async handler({ s, req, reply }) {
      const token = s.config.metricsToken;
      const registry = metricsOf(s);
      if (!token || !registry) throw new SeatkeeperError('ROUTE_NOT_FOUND', 'No such route.');
      const auth = req.headers.authorization ?? '';
      const given = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
      // Compared as digests: equal length, constant time.
      if (!timingSafeEqual(digest(given), digest(token))) throw new SeatkeeperError('UNAUTHENTICATED', 'A valid metrics token is required.');
      const text = await registry.metrics();
      reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(text);
    },
  });
}

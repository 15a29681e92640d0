// usage.report: the `check` answers an agent counted. Stored for its own device only (the socket's,
// proved by the hello), counted once per batch id, answered with usage.ack; a product's refusals
// crossing the day's threshold go out as a feed item (and so as the `denials.above-threshold` webhook).
import type { UsageReport } from '../../shared/protocol/index.js';
import { applyUsageReport, DEFAULT_CHECK_USE_LIMITS, seenBatch, type CheckUseLimits } from '../domain/check-usage.js';
import type { CoreServices } from '../core/services.js';
import type { AgentConnection } from './connection.js';
import type { GatewayCore } from './operations.js';

export function checkUseLimits(s: CoreServices): CheckUseLimits {
  return { ...DEFAULT_CHECK_USE_LIMITS, ...s.config.checkReports };
}

export async function usageReport(core: GatewayCore, conn: AgentConnection, msg: UsageReport): Promise<void> {
  const orgId = conn.orgId!;
  const deviceId = conn.deviceId!;
  const s = core.s;
  if (!seenBatch(s.store.org(orgId)!, deviceId, msg.id)) {
    const now = s.clock();
    // Whose seat each product is on this device now: the subject of its live named-user lease.
    const holders = new Map<string, string>();
    for (const l of core.indexes.get(orgId)?.liveLeasesOf(deviceId, now) ?? []) if (!l.subject.startsWith('serial:')) holders.set(l.productCode, l.subject);
    const alerts = await s.store.tx((t) =>
      applyUsageReport(t.org(orgId)!, { deviceId, batchId: msg.id, counts: msg.counts, holderOf: (p) => holders.get(p) ?? null, now, newId: () => s.ids('dny'), limits: checkUseLimits(s) }),
    );
    for (const a of alerts) {
      s.events.emit('feed', { orgId, at: now, kind: 'denials', productCode: a.productCode, text: `${a.productCode} was refused ${a.count} times today (alert threshold ${a.threshold}).` });
    }
  }
  conn.send({ type: 'usage.ack', ref: msg.id });
}

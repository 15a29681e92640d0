// What the agents would have reported, written into an organization's document for page tests: a
// workstation, its use of SW-PREMIUM by one member, and refused checks of ACAD over three days.
// (The real path — check, spool, daemon, usage.report — is test/e2e/usage-reports.test.ts.)
import { applyUsageReport, DEFAULT_CHECK_USE_LIMITS } from '../../server/domain/check-usage.js';
import type { Device } from '../../server/domain/model.js';
import type { TestServer } from './server.js';

const DAY = 24 * 3600_000;

export async function seedSeatUse(server: TestServer, orgId: string, user: string, opts: { idleSince?: Record<string, number> } = {}): Promise<void> {
  const now = Date.now();
  await server.services.store.tx((t) => {
    const doc = t.org(orgId)!;
    // Seats assigned long ago, so one nobody used is idle.
    for (const a of Object.values(doc.assignments)) a.assignedAt = opts.idleSince?.[a.accountId] ?? now - 45 * DAY;
    const device: Device = {
      id: 'dev_seeded_ws',
      machineIdHash: 'seeded',
      hostname: 'ws-design-07',
      os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64' },
      agentVersion: '0.1.0',
      publicKey: 'x'.repeat(43),
      enrolledAt: now - 50 * DAY,
      enrolledWith: 'seeded',
      lastSeenAt: now,
      signedInAccountId: user,
      inventory: [],
      inventoryHash: null,
      revokedAt: null,
    };
    doc.devices[device.id] ??= device;
    let n = 0;
    const report = (at: number, counts: Array<{ productCode: string; outcome: 'ok' | 'no-lease' | 'revoked'; count: number; user: string | null }>) =>
      applyUsageReport(doc, {
        deviceId: device.id,
        batchId: `seed_${at}_${n++}`,
        counts: counts.map((c) => ({ ...c, first: at - 60_000, last: at })),
        holderOf: (p) => (p === 'SW-PREMIUM' ? user : null),
        now,
        newId: () => `dny_seed_${n++}`,
        limits: DEFAULT_CHECK_USE_LIMITS,
      });
    report(now - 2 * DAY, [{ productCode: 'ACAD', outcome: 'no-lease', count: 4, user: 'bob' }]);
    report(now - DAY, [{ productCode: 'ACAD', outcome: 'revoked', count: 2, user: 'bob' }]);
    report(now - 60_000, [
      { productCode: 'SW-PREMIUM', outcome: 'ok', count: 12, user: 'bob' },
      { productCode: 'ACAD', outcome: 'no-lease', count: 7, user: 'carol' },
    ]);
  });
}

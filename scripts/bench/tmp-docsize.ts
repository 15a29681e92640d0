import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../server/app.js';
import { stringifyChunked } from '../../server/store/chunked-json.js';
const n = Number(process.argv[2] ?? 1000);
const dir = await mkdtemp(join(tmpdir(), 'x'));
const srv = await startServer({ dataDir: dir, port: 0, logLevel: 'error' });
const { createOrganization } = await import('../../server/seed.js');
const orgId = await createOrganization(srv.services, { name: 'x', contracts: [{ number: 'c', serials: ['S1'], lines: [{ productCode: 'SW-PREMIUM', seats: n, method: 'named-user' }] }] });
const now = Date.now();
await srv.services.store.tx((t) => {
  const doc = t.org(orgId)!;
  for (let i = 0; i < n; i++) {
    doc.members[`acc_b${i}`] = { accountId: `acc_b${i}`, role: 'member', joinedAt: now };
    doc.assignments[`asg_b${i}`] = { id: `asg_b${i}`, lineId: 'lin_x', accountId: `acc_b${i}`, assignedBy: 'x', assignedAt: now };
    doc.devices[`dev_b${i}`] = { id: `dev_b${i}`, machineIdHash: 'a'.repeat(64), hostname: `ws-${i}`, os: { platform: 'linux', distro: 'Bench', release: '1', arch: 'x64' }, agentVersion: 'bench', publicKey: 'b'.repeat(43), enrolledAt: now, enrolledWith: 'enr', lastSeenAt: now, signedInAccountId: `acc_b${i}`, inventory: [{ productCode: 'SW-PREMIUM', version: '2025', path: '/opt/dassault/solidworks-premium/2025', serial: null }], inventoryHash: 'c'.repeat(64), revokedAt: null };
    doc.leases[`lse_${i}`] = { jti: `lse_${i}xxxxxxxxxxxxxx`, deviceId: `dev_b${i}`, subject: `acc_b${i}`, productCode: 'SW-PREMIUM', method: 'named-user', lineId: 'lin_xxxxxxxxxx', issuedAt: now, expiresAt: now, status: 'active', revokedAt: null, revokeReason: null };
  }
});
const doc = srv.services.store.org(orgId)!;
let t = performance.now();
const s = JSON.stringify(doc);
console.log('bytes', s.length, 'stringify ms', (performance.now() - t).toFixed(1));
t = performance.now();
const parts = await stringifyChunked(doc);
console.log('chunked ms', (performance.now() - t).toFixed(1), parts.length);
for (let k = 0; k < 3; k++) { t = performance.now(); await srv.services.store.tx((tx) => { tx.org(orgId)!.org.name = 'y' + k; }); console.log('tx ms', (performance.now() - t).toFixed(1)); }
await srv.close();

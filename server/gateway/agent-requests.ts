// The requests an authenticated agent makes over its socket: sign-in codes, sign-out, lease
// renewal, inventory reports. Each change is durable before anything is pushed.
import type { Inventory, LeaseRequest, LoginStart } from '../../shared/protocol/index.js';
import { inventoryHash } from '../../shared/protocol/inventory-hash.js';
import { auditEvent } from '../domain/audit.js';
import { planLeaseRequest } from '../domain/entitlements.js';
import type { AgentConnection } from './connection.js';
import { applyChange, needsSync, reconcileBody, revocationOf, syncOn, type DeviceChange } from './lease-sync.js';
import { newJti, refillSerialSeats, type GatewayCore } from './operations.js';

/** How often the sign-in code may be polled; informational over a socket. */
const LOGIN_INTERVAL_SECONDS = 5;

export async function loginStart(core: GatewayCore, conn: AgentConnection, msg: LoginStart): Promise<void> {
  const code = await core.codes.issue(conn.orgId!, conn.deviceId!, conn.id);
  if (conn.closed) return;
  conn.send({
    type: 'login.code',
    ...(msg.id ? { id: msg.id } : {}),
    userCode: code.userCode,
    verificationUri: `${core.s.publicUrl()}/activate`,
    expiresIn: core.codes.ttlSeconds,
    interval: LOGIN_INTERVAL_SECONDS,
  });
}

export async function logout(core: GatewayCore, conn: AgentConnection): Promise<void> {
  const orgId = conn.orgId!;
  const deviceId = conn.deviceId!;
  const now = core.s.clock();
  const before = core.s.store.org(orgId)?.devices[deviceId]?.signedInAccountId ?? null;
  const changes = await core.s.store.tx((t) => {
    const doc = t.org(orgId)!;
    const d = doc.devices[deviceId]!;
    if (d.signedInAccountId === null) return [];
    t.audit(auditEvent(core.s.ids, now, orgId, `device:${deviceId}`, 'device.sign-out', deviceId, { signedInAccountId: d.signedInAccountId }, { signedInAccountId: null }));
    d.signedInAccountId = null;
    return syncOn(doc, [deviceId], now, { reason: 'signed-out' }, newJti(core.s), core.indexes.get(orgId)!);
  });
  // The device's other sockets (its daemon) hear the revocations; the asking connection learns
  // them once, in a reconcile saying nobody is signed in: the agent's `logout` waits for it
  // rather than guessing when the server is done.
  core.pusher.changes(orgId, changes, conn);
  const revoked = changes.flatMap((ch) => ch.revoked.map((r) => revocationOf(r.lease, r.reason)));
  core.pusher.push(
    orgId,
    deviceId,
    'reconcile',
    (id) => {
      const d = core.s.store.org(orgId);
      return d ? { type: 'reconcile', id, ...reconcileBody(d, core.s.store.global().accounts, core.key.privateKey, deviceId, core.s.clock(), null, revoked, core.indexes.get(orgId)) } : null;
    },
    { only: conn },
  );
  if (before) {
    const email = core.s.store.global().accounts[before]?.email ?? before;
    const host = core.s.store.org(orgId)?.devices[deviceId]?.hostname ?? deviceId;
    core.s.events.emit('feed', { orgId, at: now, kind: 'sign-in', text: `${email} signed out on ${host}`, accountId: before, deviceId });
  }
}

export async function leaseRequest(core: GatewayCore, conn: AgentConnection, msg: LeaseRequest): Promise<void> {
  const orgId = conn.orgId!;
  const deviceId = conn.deviceId!;
  const now = core.s.clock();
  const doc = core.s.store.org(orgId)!;
  const minRenewMs = (doc.org.settings.leaseTtlSeconds * 1000) / 10;
  let decision = planLeaseRequest(doc, deviceId, msg.productCode, now, minRenewMs, core.indexes.get(orgId));
  if (decision.kind === 'change') {
    const result = await core.s.store.tx((t) => {
      const d = t.org(orgId)!;
      const idx = core.indexes.get(orgId)!;
      const again = planLeaseRequest(d, deviceId, msg.productCode, now, minRenewMs, idx);
      return { again, change: again.kind === 'change' ? applyChange(d, again.plan, now, newJti(core.s), idx) : null };
    });
    decision = result.again;
    if (result.change) {
      core.pusher.changes(orgId, [result.change]);
      return;
    }
  }
  if (decision.kind === 'current') core.pusher.grant(orgId, decision.lease);
  else if (decision.kind === 'revoked') core.pusher.revoke(orgId, decision.lease, decision.lease.revokeReason ?? 'unassigned');
  else if (decision.kind === 'none') conn.sendError('NOT_ENTITLED', `This workstation has no seat for ${msg.productCode}.`, msg.id);
}

export async function inventory(core: GatewayCore, conn: AgentConnection, msg: Inventory): Promise<void> {
  const orgId = conn.orgId!;
  const deviceId = conn.deviceId!;
  const now = core.s.clock();
  const hash = inventoryHash(msg.items);
  const doc = core.s.store.org(orgId)!;
  const d = doc.devices[deviceId]!;
  const same = d.inventoryHash === hash && (!msg.os || JSON.stringify(d.os) === JSON.stringify(msg.os));
  if (same && !needsSync(doc, [deviceId], now, {}, core.indexes.get(orgId)!)) return;
  const changes: DeviceChange[] = await core.s.store.tx((t) => {
    const o = t.org(orgId)!;
    const dev = o.devices[deviceId]!;
    dev.inventory = msg.items;
    dev.inventoryHash = hash;
    if (msg.os) dev.os = msg.os;
    return syncOn(o, [deviceId], now, {}, newJti(core.s), core.indexes.get(orgId)!);
  });
  core.pusher.changes(orgId, changes);
  await refillSerialSeats(core, orgId, changes);
}

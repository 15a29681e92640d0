// What another node committed, pushed to the agents connected here (PostgreSQL, several nodes).
// The node that made a change pushed it to its own sockets only; every other node reads the
// change records in (store.onRemoteChange) and tells its own sockets what the records say: a lease
// revoked is revoked, a lease granted is granted, a device revoked is told and cut off. Only the
// records the other node wrote are looked at, so a push this node made itself is never repeated.
import { closeCodes, type Revocation } from '../../shared/protocol/index.js';
import { isLive } from '../domain/entitlements.js';
import type { Lease, OrgDoc } from '../domain/model.js';
import type { RemoteRecords } from '../store/store.js';
import type { GatewayCore } from './operations.js';
import { reconcileBody, revocationOf, type DeviceChange } from './lease-sync.js';
import { closeOrganizationSockets } from './org-removed.js';
import { codesTakenElsewhere } from './device-code-remote.js';
import { deviceKeyOf } from './pusher.js';

/** Pushes what another node changed in the organization to the devices connected to this node. */
export function pushRemoteChanges(core: GatewayCore, orgId: string, records: RemoteRecords): void {
  const { s, pusher, presence } = core;
  const doc = s.store.org(orgId);
  if (!doc) return;
  const online = presence.onlineDevices(orgId);
  if (online.size === 0) return;
  // Removed by the operator on another node: its sockets here go too.
  if (doc.org.removedAt) {
    closeOrganizationSockets(core, orgId);
    return;
  }
  if (records === 'whole' || records.some((r) => r.k === 'leases' && r.i === undefined)) {
    // Read whole (this node was too far behind): tell each connected device its whole picture.
    for (const deviceId of online) wholePicture(core, orgId, doc, deviceId);
    return;
  }
  const now = s.clock();
  const byDevice = new Map<string, DeviceChange>();
  const changeOf = (deviceId: string) => {
    let ch = byDevice.get(deviceId);
    if (!ch) byDevice.set(deviceId, (ch = { deviceId, revoked: [], granted: [] }));
    return ch;
  };
  const seen = new Set<string>();
  for (const r of records) {
    if (r.k !== 'leases' || r.i === undefined || seen.has(r.i)) continue;
    seen.add(r.i);
    const l: Lease | undefined = doc.leases[r.i];
    if (!l || !online.has(l.deviceId)) continue;
    if (isLive(l, now)) changeOf(l.deviceId).granted.push(l);
    else if (l.status === 'revoked' && l.revokeReason && l.revokeReason !== 'superseded') changeOf(l.deviceId).revoked.push({ lease: l, reason: l.revokeReason });
  }
  const changes = [...byDevice.values()];
  pusher.changes(orgId, changes);
  const devices = new Set(records.filter((r) => r.k === 'devices' && r.i !== undefined && online.has(r.i)).map((r) => r.i!));
  for (const deviceId of devices) {
    const d = doc.devices[deviceId];
    // Signed in on another node with a code this node's socket showed: that socket is told.
    if (d?.signedInAccountId) codesTakenElsewhere(core, orgId, deviceId).catch((e: Error) => s.log.warn('sign-in code not followed up', { deviceId, error: e.message }));
    if (!d || d.revokedAt) cutOff(core, orgId, deviceId);
    else if (!byDevice.has(deviceId)) signedInChanged(core, orgId, deviceId);
  }
}

/** An administrator revoked the device on another node: its sockets here are told and closed. */
function cutOff(core: GatewayCore, orgId: string, deviceId: string): void {
  core.codes.forget(deviceId);
  for (const c of core.pusher.all(orgId, deviceId)) {
    c.sendError('DEVICE_REVOKED', 'An administrator revoked this workstation. Enroll it again to use it.');
    c.close(closeCodes.DEVICE_REVOKED.code, 'device revoked');
  }
  core.pusher.outbox.forgetDevice(deviceKeyOf(orgId, deviceId));
}

/**
 * The device record changed elsewhere while its socket is here (a sign-in or sign-out finished on
 * another node; rare): a reconcile that grants nothing the device holds tells it who is signed in.
 */
function signedInChanged(core: GatewayCore, orgId: string, deviceId: string): void {
  const { s, pusher } = core;
  pusher.push(orgId, deviceId, 'reconcile', (id) => {
    const d = s.store.org(orgId);
    if (!d) return null;
    const now = s.clock();
    const idx = core.indexes.get(orgId)!;
    const held = new Set(idx.leasesOf(deviceId).filter((l) => isLive(l, now)).map((l) => l.jti));
    return { type: 'reconcile', id, ...reconcileBody(d, s.store.global().accounts, core.key.privateKey, deviceId, now, held, [], idx) };
  });
}

/** Every live lease granted again (the agent keeps one per product) and every revoked one revoked. */
function wholePicture(core: GatewayCore, orgId: string, doc: OrgDoc, deviceId: string): void {
  const { s, pusher } = core;
  const d = doc.devices[deviceId];
  if (!d || d.revokedAt) return cutOff(core, orgId, deviceId);
  pusher.push(orgId, deviceId, 'reconcile', (id) => {
    const cur = s.store.org(orgId);
    if (!cur) return null;
    const now = s.clock();
    const idx = core.indexes.get(orgId);
    const mine = idx ? idx.leasesOf(deviceId) : Object.values(cur.leases).filter((l) => l.deviceId === deviceId);
    const revoke: Revocation[] = mine.filter((l) => l.status === 'revoked' && l.revokeReason && l.revokeReason !== 'superseded' && l.expiresAt > now).map((l) => revocationOf(l, l.revokeReason!));
    return { type: 'reconcile', id, ...reconcileBody(cur, s.store.global().accounts, core.key.privateKey, deviceId, now, null, revoke, idx) };
  });
}

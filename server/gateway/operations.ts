// What the gateway does on behalf of the rest of the server: recompute devices after an
// entitlement change, finish a device sign-in, revoke a device, ask for a rescan. Each change is
// made durable first, then pushed (see lease-sync.ts for why signing and sending do not yield).
import { SeatkeeperError } from '../../shared/errors.js';
import type { ActivateDeviceCodeReply } from '../../shared/api/device-codes.js';
import { closeCodes, type Revocation } from '../../shared/protocol/index.js';
import { auditEvent } from '../domain/audit.js';
import { affectedDevices } from '../domain/entitlements.js';
import type { EntitlementChange } from '../core/gateway.js';
import type { CoreServices } from '../core/services.js';
import type { Account, ActivationMethod } from '../domain/model.js';
import type { DeviceCodeBook } from './device-codes.js';
import type { IndexCache } from './index-cache.js';
import type { ServerLeaseKey } from './lease-key.js';
import { accountRef, needsSync, reconcileBody, revocationOf, syncOn, type DeviceChange } from './lease-sync.js';
import type { LivePresence } from './live-presence.js';
import { deviceKeyOf, type Pusher } from './pusher.js';
import { Slicer } from '../core/slicer.js';
import type { CryptoPool } from './crypto-pool.js';
import { prepareTokens } from './lease-signer.js';

export interface GatewayCore {
  s: CoreServices;
  key: ServerLeaseKey;
  pusher: Pusher;
  presence: LivePresence;
  codes: DeviceCodeBook;
  indexes: IndexCache;
  crypto: CryptoPool;
}

export const newJti = (s: CoreServices) => () => s.ids('lse');

/**
 * Devices synced per transaction. Each chunk is one commit and a short synchronous step; its
 * pushes go out in slices that let the event loop turn, so an org-wide change never freezes it.
 */
const SYNC_CHUNK = 256;

/** Rights changed: recompute the affected devices now, revoke and grant, push. */
export async function applyEntitlementChange(core: GatewayCore, change: EntitlementChange): Promise<DeviceChange[]> {
  const { s, pusher } = core;
  const { orgId } = change;
  const doc = s.store.org(orgId);
  if (!doc) return [];
  const now = s.clock();
  // No reason (only rights given, or "the rules changed": a line edited, a contract added): each lease
  // that goes gets the reason that fits it (contract-ended, team-removed…) instead of a vague one.
  const opts = change.reason === undefined ? {} : { reason: change.reason };
  // Rights changed (that is what the event says): re-read them; the leases part stays current.
  const pre = core.indexes.get(orgId)!;
  pre.refreshRights();
  const ids = affectedDevices(doc, change, now, pre);
  // A method switch is told to every device that used or could use the line, with what it did to
  // the device's leases in the same frame.
  const switchedOn = new Map<string, { lineId: string; productCode: string; method: ActivationMethod }>();
  if (change.reason === 'method-switched') {
    for (const lineId of change.lineIds ?? []) {
      const found = pre.line(lineId);
      if (!found) continue;
      const what = { lineId, productCode: found.line.productCode, method: found.line.method };
      for (const deviceId of affectedDevices(doc, { lineIds: [lineId] }, now, pre)) if (!switchedOn.has(deviceId)) switchedOn.set(deviceId, what);
    }
  }
  const all: DeviceChange[] = [];
  const slicer = new Slicer();
  /**
   * Syncs a chunk in a transaction; its new leases are signed in the crypto pool while it commits.
   * A chunk is planned only once the chunk before it was (seats taken there are seen here).
   */
  let planned: Promise<void> = Promise.resolve();
  const commit = (chunk: string[]): Promise<DeviceChange[]> => {
    const after = planned;
    let done!: () => void;
    planned = new Promise<void>((resolve) => (done = resolve));
    return (async () => {
      try {
        await after;
        const plain = s.store.org(orgId);
        // Found on the plain document: planning through the write-watching view costs more.
        if (!plain || !needsSync(plain, chunk, now, opts, core.indexes.get(orgId)!)) return [];
        let signed: Promise<void> = Promise.resolve();
        const changes = await s.store.tx((t) => {
          const d = t.org(orgId);
          const made = d ? syncOn(d, chunk, now, opts, newJti(s), core.indexes.get(orgId)!) : [];
          done();
          signed = prepareTokens(core.crypto, core.key.privateKey, orgId, made.flatMap((c) => c.granted));
          return made;
        });
        await signed;
        return changes;
      } finally {
        done();
      }
    })();
  };
  const push = async (chunk: string[], changes: DeviceChange[]) => {
    const byDevice = new Map(changes.map((c) => [c.deviceId, c]));
    for (const deviceId of chunk) {
      const ch = byDevice.get(deviceId);
      const sw = switchedOn.get(deviceId);
      if (sw && (!ch || fitsSwitchFrame(ch))) pusher.methodSwitch(orgId, deviceId, sw.lineId, sw.productCode, sw.method, ch);
      else {
        if (sw) pusher.methodSwitch(orgId, deviceId, sw.lineId, sw.productCode, sw.method);
        if (ch) pusher.pushChange(orgId, ch);
      }
      await slicer.turn();
    }
    pusher.feed(orgId, changes);
    all.push(...changes);
  };
  // Two chunks in flight: one commits (and signs) while the one before it is pushed, in order.
  let previous: { chunk: string[]; committed: Promise<DeviceChange[]> } | null = null;
  for (let i = 0; i < ids.length; i += SYNC_CHUNK) {
    const chunk = ids.slice(i, i + SYNC_CHUNK);
    const current = { chunk, committed: commit(chunk) };
    // Settled here too, so a failure of this chunk is not left unobserved while the previous is pushed.
    current.committed.catch(() => {});
    if (previous) await push(previous.chunk, await previous.committed);
    previous = current;
    await slicer.turn();
  }
  if (previous) await push(previous.chunk, await previous.committed);
  await refillSerialSeats(core, orgId, all);
  return all;
}

/** What one method.switch frame can carry (shared/protocol/method-switch.ts). */
const fitsSwitchFrame = (ch: DeviceChange) => ch.revoked.length <= 16 && ch.granted.length <= 16;

/** Serial seats given up (a device revoked, a serial uninstalled) go to the devices waiting for them. */
export async function refillSerialSeats(core: GatewayCore, orgId: string, changes: DeviceChange[]): Promise<void> {
  const lineIds = [...new Set(changes.flatMap((c) => c.revoked.filter((r) => r.lease.method === 'serial').map((r) => r.lease.lineId)))];
  if (lineIds.length > 0) await applyEntitlementChange(core, { orgId, lineIds });
}

/** The person entered the code their workstation showed: sign them in there and send their leases. */
export async function activateDeviceCode(core: GatewayCore, account: Account, typed: string): Promise<ActivateDeviceCodeReply> {
  const { s, pusher, codes } = core;
  const code = await codes.take(typed, account.id, (c) => {
    const doc = s.store.org(c.orgId);
    return !!doc?.members[account.id] && !!doc.devices[c.deviceId] && !doc.devices[c.deviceId]!.revokedAt;
  });
  const { orgId, deviceId } = code;
  const now = s.clock();
  const changes = await s.store.tx((t) => {
    const doc = t.org(orgId)!;
    const device = doc.devices[deviceId];
    if (!device || device.revokedAt || !doc.members[account.id]) {
      throw new SeatkeeperError('DEVICE_CODE_INVALID', 'That code is wrong or has expired. Ask your workstation for a new one.');
    }
    const before = device.signedInAccountId;
    device.signedInAccountId = account.id;
    t.audit(auditEvent(s.ids, now, orgId, account.id, 'device.sign-in', deviceId, { signedInAccountId: before }, { signedInAccountId: account.id }));
    return syncOn(doc, [deviceId], now, { reason: 'signed-out' }, newJti(s), core.indexes.get(orgId)!);
  });
  const doc = s.store.org(orgId)!;
  const ref = accountRef(s.store.global().accounts, account.id)!;
  for (const c of pusher.ready(orgId, deviceId)) if (c.id === code.connId) c.send({ type: 'login.done', account: ref });
  // Every socket of the device gets the whole picture (the `login` command runs beside the daemon).
  const revoked: Revocation[] = changes.flatMap((ch) => ch.revoked.map((r) => revocationOf(r.lease, r.reason)));
  pusher.push(orgId, deviceId, 'reconcile', (id) => {
    const d = s.store.org(orgId);
    return d ? { type: 'reconcile', id, ...reconcileBody(d, s.store.global().accounts, core.key.privateKey, deviceId, s.clock(), null, revoked, core.indexes.get(orgId)) } : null;
  });
  const hostname = doc.devices[deviceId]!.hostname;
  s.events.emit('feed', { orgId, at: now, kind: 'sign-in', text: `${account.email} signed in on ${hostname}`, accountId: account.id, deviceId });
  pusher.feed(orgId, changes);
  return { ok: true, orgId, deviceId, hostname, account: ref };
}

/** An admin revoked the device: its leases go ('device-revoked'), it is told, then cut off for good. */
export async function revokeDevice(core: GatewayCore, orgId: string, deviceId: string, actorId: string): Promise<{ alreadyRevoked: boolean }> {
  const { s, pusher, codes } = core;
  const now = s.clock();
  const result = await s.store.tx((t) => {
    const doc = t.org(orgId)!;
    const device = doc.devices[deviceId];
    if (!device) throw new SeatkeeperError('NOT_FOUND', 'No such device.');
    if (device.revokedAt) return { already: true, changes: [] as DeviceChange[] };
    device.revokedAt = now;
    t.audit(auditEvent(s.ids, now, orgId, actorId, 'device.revoke', deviceId, { revokedAt: null }, { revokedAt: now, hostname: device.hostname }));
    return { already: false, changes: syncOn(doc, [deviceId], now, { reason: 'device-revoked' }, newJti(s), core.indexes.get(orgId)!) };
  });
  codes.forget(deviceId);
  pusher.changes(orgId, result.changes);
  for (const c of pusher.all(orgId, deviceId)) {
    c.sendError('DEVICE_REVOKED', 'An administrator revoked this workstation. Enroll it again to use it.');
    c.close(closeCodes.DEVICE_REVOKED.code, 'device revoked');
  }
  pusher.outbox.forgetDevice(deviceKeyOf(orgId, deviceId));
  await refillSerialSeats(core, orgId, result.changes);
  if (!result.already) {
    const hostname = s.store.org(orgId)?.devices[deviceId]?.hostname ?? deviceId;
    s.events.emit('feed', { orgId, at: now, kind: 'device', text: `Workstation ${hostname} was revoked`, deviceId });
  }
  return { alreadyRevoked: result.already };
}

/** Asks the device to scan for installed products now; false when it is not connected. */
export function requestRescan(core: GatewayCore, orgId: string, deviceId: string): boolean {
  const online = core.pusher.ready(orgId, deviceId).length > 0;
  core.pusher.push(orgId, deviceId, 'inventory.request', (id) => ({ type: 'inventory.request', id }));
  return online;
}

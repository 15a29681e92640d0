// Devices as admins see them, and the small rules about enrolled machines and sign-in codes.
import { createHash } from 'node:crypto';
import type { DeviceView } from '../../shared/api/devices.js';
import { SeatkeeperError } from '../../shared/errors.js';
import type { Account, Device, Lease, OrgDoc } from './model.js';
import { isLive } from './entitlements.js';

/** The org-salted machine id: two organizations never see the same id for one machine. */
export function machineIdHash(orgSalt: string, machineId: string): string {
  return createHash('sha256').update(`${orgSalt}:${machineId}`).digest('hex');
}

export function requireDevice(doc: OrgDoc, deviceId: string | undefined): Device {
  const d = deviceId ? doc.devices[deviceId] : undefined;
  if (!d) throw new SeatkeeperError('NOT_FOUND', 'No such device.');
  return d;
}

/** A revoked workstation is asked for nothing any more. */
export function requireNotRevoked(d: Device): Device {
  if (d.revokedAt) throw new SeatkeeperError('DEVICE_REVOKED', 'This workstation is revoked.');
  return d;
}

export function findDeviceByMachine(doc: OrgDoc, hash: string): Device | undefined {
  return Object.values(doc.devices).find((d) => d.machineIdHash === hash);
}

export interface LiveInfo {
  online: boolean;
  /** in-memory last sign of life, when newer than the stored one */
  lastSeen: number | null;
}

/** Leases per device in one sweep (a list of N devices must not scan the leases N times). */
export function leasesByDevice(doc: OrgDoc): Map<string, Lease[]> {
  const out = new Map<string, Lease[]>();
  for (const l of Object.values(doc.leases)) {
    const list = out.get(l.deviceId);
    if (list) list.push(l);
    else out.set(l.deviceId, [l]);
  }
  return out;
}

export function deviceView(
  doc: OrgDoc,
  device: Device,
  accounts: Record<string, Account>,
  live: LiveInfo,
  now: number,
  leases: readonly Lease[] = Object.values(doc.leases).filter((l) => l.deviceId === device.id),
): DeviceView {
  const acc = device.signedInAccountId ? accounts[device.signedInAccountId] : undefined;
  return {
    id: device.id,
    hostname: device.hostname,
    os: device.os,
    agentVersion: device.agentVersion,
    enrolledAt: device.enrolledAt,
    lastSeenAt: Math.max(device.lastSeenAt ?? 0, live.lastSeen ?? 0) || null,
    online: live.online,
    revokedAt: device.revokedAt,
    signedInAccount: acc ? { id: acc.id, email: acc.email, name: acc.name } : null,
    inventory: device.inventory,
    leases: leases
      .filter((l) => isLive(l, now))
      .sort((a, b) => (a.productCode < b.productCode ? -1 : 1))
      .map((l) => ({ jti: l.jti, productCode: l.productCode, lineId: l.lineId, method: l.method, subject: l.subject, issuedAt: l.issuedAt, expiresAt: l.expiresAt })),
  };
}

// RFC 8628 §6.1: consonants only (no vowels, so no words), no 0/O or 1/I to confuse.
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

/** Turns what someone typed ("wdjb mjht", "WDJB-MJHT") into the canonical "WDJB-MJHT", or null. */
export function normalizeUserCode(typed: string): string | null {
  const chars = typed.toUpperCase().replace(/[\s-]/g, '');
  if (chars.length !== 8 || [...chars].some((c) => !USER_CODE_ALPHABET.includes(c))) return null;
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/** A user code from 8 random bytes (each mapped into the alphabet without bias: 256 % 20 ≠ 0, so rejection). */
export function userCodeFrom(randomByte: () => number): string {
  let out = '';
  while (out.length < 8) {
    const b = randomByte();
    if (b < 240) out += USER_CODE_ALPHABET[b % 20];
  }
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

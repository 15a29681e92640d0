// Devices and leases added to an in-memory organization document, for the pure domain tests of
// entitlements and switch planning.
import { DAY, NOW } from '../helpers/org-doc.js';
import type { Device, Lease, OrgDoc } from '../../server/domain/model.js';

export function addDevice(doc: OrgDoc, id: string, over: Partial<Device> = {}): Device {
  const d: Device = {
    id,
    machineIdHash: id,
    hostname: id,
    os: { platform: 'linux', distro: '', release: '', arch: 'x64' },
    agentVersion: '1',
    publicKey: 'x',
    enrolledAt: NOW - DAY,
    enrolledWith: 'enr',
    lastSeenAt: null,
    signedInAccountId: null,
    inventory: [],
    inventoryHash: null,
    revokedAt: null,
    ...over,
  };
  doc.devices[id] = d;
  return d;
}

export function addLease(doc: OrgDoc, jti: string, over: Partial<Lease> & Pick<Lease, 'deviceId' | 'lineId' | 'subject' | 'productCode'>): Lease {
  const l: Lease = { jti, method: 'named-user', issuedAt: NOW - 1000, expiresAt: NOW + DAY, status: 'active', revokedAt: null, revokeReason: null, ...over };
  doc.leases[jti] = l;
  return l;
}


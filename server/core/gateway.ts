// What the rest of the server asks of the agent gateway: it is given to everyone in Services at
// construction (server/app.ts builds it), so there is one way to reach it and no start order.
import type { ActivateDeviceCodeReply } from '../../shared/api/device-codes.js';
import type { Ed25519PublicJwk } from '../../shared/lease.js';
import type { Account, RevokeReason } from '../domain/model.js';
import type { Presence } from './presence.js';

/** Something changed who may use what; the gateway recomputes the affected devices' leases. */
export interface EntitlementChange {
  orgId: string;
  /**
   * Why a lease that now has to go is revoked. Absent when the change only gives rights (an
   * assignment, joining a project team) or when each lease's own reason fits best (a contract
   * edited): a lease that goes anyway then gets the reason inferred for it.
   */
  reason?: RevokeReason;
  /** devices signed in by these accounts are affected */
  accountIds?: string[];
  /** these devices are affected */
  deviceIds?: string[];
  /** every device holding or wanting a lease on these contract lines is affected */
  lineIds?: string[];
  /** every device of the organization is affected */
  all?: boolean;
}

export interface Gateway {
  /** who is online and which seats are in use, live in memory */
  readonly presence: Presence;
  /** the public half of the lease-signing key; agents pin it at enrollment */
  readonly leasePublicKeyJwk: Ed25519PublicJwk;
  /** Rights changed (made durable already): recompute, revoke and grant, push. Returns at once. */
  rightsChanged(change: EntitlementChange): void;
  /** Leases changed in the store outside the gateway (pruning): its indexes read them again. */
  leasesChangedOutside(orgId?: string): void;
  /** The operator removed the organization (committed already): every socket of it is closed at once. */
  organizationRemoved(orgId: string): void;
  /** The device enrolled again with a new key: its old sockets go, its leases were ended. */
  deviceReenrolled(orgId: string, deviceId: string): void;
  /** An admin revoked the device: its leases go ('device-revoked'), it is told, then cut off. */
  revokeDevice(orgId: string, deviceId: string, actorId: string): Promise<{ alreadyRevoked: boolean }>;
  /** Asks the device to scan for installed products now; false when it is not connected. */
  requestRescan(orgId: string, deviceId: string): boolean;
  /** The operator rotates the lease key: a new one signs, the others stay valid `overlapMs` more. */
  rotateLeaseKey(overlapMs: number): Promise<{ kid: string; retiring: Array<{ kid: string; retiresAt: number }> }>;
  /** The person typed the code their workstation showed: sign them in there. */
  activateDeviceCode(account: Account, userCode: string): Promise<ActivateDeviceCodeReply>;
}

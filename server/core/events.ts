// In-process events raised after a change is durable. The agent gateway listens for rights
// taken away or given, the admin live socket for the dashboard feed.
import { EventEmitter } from 'node:events';
import type { RevokeReason } from '../domain/model.js';

/** Something changed who may use what; the gateway recomputes the affected devices' leases. */
export interface EntitlementChange {
  orgId: string;
  /** why any lease that now has to go is revoked */
  reason: RevokeReason;
  /** devices signed in by these accounts are affected */
  accountIds?: string[];
  /** these devices are affected */
  deviceIds?: string[];
  /** every device holding or wanting a lease on these contract lines is affected */
  lineIds?: string[];
  /** every device of the organization is affected */
  all?: boolean;
}

export type FeedKind =
  | 'grant'
  | 'revoke'
  | 'sign-in'
  | 'sign-in-failed'
  | 'method-switch'
  | 'assignment'
  | 'member'
  | 'device';

export interface FeedItem {
  orgId: string;
  at: number;
  kind: FeedKind;
  text: string;
  productCode?: string;
  accountId?: string;
  deviceId?: string;
}

interface EventMap {
  entitlements: [EntitlementChange];
  feed: [FeedItem];
}

export class Events extends EventEmitter<EventMap> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}

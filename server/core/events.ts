// In-process events raised after a change is durable, for observers: the admin live socket hears
// of rights changed (to refresh its seat summary) and of the dashboard feed. Nobody reaches the
// gateway through them: that goes through Services.gateway, which announces `entitlements` here.
import { EventEmitter } from 'node:events';
import type { EntitlementChange } from './gateway.js';

export type { EntitlementChange };

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

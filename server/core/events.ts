// In-process events raised after a change is durable, for observers: the admin live socket hears
// of rights changed (to refresh its seat summary) and of the dashboard feed. Nobody reaches the
// gateway through them: that goes through Services.gateway, which announces `entitlements` here.
import { EventEmitter } from 'node:events';
import type { FeedItem, FeedKind } from '../domain/feed.js';
import type { EntitlementChange } from './gateway.js';

export type { EntitlementChange };

export type { FeedItem, FeedKind };

/** Every seat of a contract line is now assigned: raised by the assign or accept that got it there. */
export interface SeatLimitReached {
  orgId: string;
  at: number;
  lineId: string;
  productCode: string;
  contractNumber: string;
  seats: number;
}

/** A push to an agent kept until acked (`sent`), or acked, with the seconds it took: for the metrics. */
export type PushEvent = { phase: 'sent'; kind: string } | { phase: 'acked'; kind: string; seconds: number };

interface EventMap {
  entitlements: [EntitlementChange];
  feed: [FeedItem];
  push: [PushEvent];
  'seat-limit': [SeatLimitReached];
  /** devices of the organization came online or went offline, on this node or (several nodes) another */
  presence: [{ orgId: string }];
}

export class Events extends EventEmitter<EventMap> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}

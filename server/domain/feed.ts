// The dashboard feed: one line per thing that happened (a grant, a revocation, a sign-in...), for
// the live socket and for webhooks. Raised through core/events after the change is durable.

export type FeedKind =
  | 'grant'
  | 'revoke'
  | 'sign-in'
  | 'sign-in-failed'
  | 'method-switch'
  | 'assignment'
  | 'member'
  | 'device'
  /** a product's refused checks today reached the alert threshold */
  | 'denials';

export interface FeedItem {
  orgId: string;
  at: number;
  kind: FeedKind;
  text: string;
  productCode?: string;
  accountId?: string;
  deviceId?: string;
}

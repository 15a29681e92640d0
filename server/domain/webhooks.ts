// Webhook rules: which feed item is which event, when a line reached its seat limit, how a delivery
// is signed, when it is tried again, and which addresses a delivery may never reach (the server's
// own network).
import { createHmac } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { WebhookEvent } from '../../shared/api/webhooks.js';
import type { FeedItem } from './feed.js';
import type { OrgDoc } from './model.js';
import { assignedCount, findLine } from './seats.js';

const byKind: Partial<Record<FeedItem['kind'], WebhookEvent>> = {
  assignment: 'seat.changed',
  member: 'member.changed',
  device: 'device.changed',
  'method-switch': 'switch.applied',
  grant: 'lease.granted',
  revoke: 'lease.revoked',
  'sign-in-failed': 'sign-in.refused',
  denials: 'denials.above-threshold',
};

export function webhookEventOf(item: Pick<FeedItem, 'kind'>): WebhookEvent | undefined {
  return byKind[item.kind];
}

/** A contract line whose every seat is assigned (the `seat.limit-reached` event's subject). */
export interface SeatLimit {
  lineId: string;
  productCode: string;
  contractNumber: string;
  seats: number;
}

/**
 * Of the lines an assign or an accept just added seats to (read inside its transaction, after the
 * change), those now at their limit: assigned == owned. A line reaches it from below only by an
 * addition, so this fires once per crossing; a line already past it (seats lowered later) does not.
 */
export function seatLimitsReached(doc: OrgDoc, lineIds: Iterable<string>): SeatLimit[] {
  const out: SeatLimit[] = [];
  for (const lineId of new Set(lineIds)) {
    const ref = findLine(doc, lineId);
    if (!ref || ref.line.seats <= 0 || assignedCount(doc, lineId) !== ref.line.seats) continue;
    out.push({ lineId, productCode: ref.line.productCode, contractNumber: ref.contract.number, seats: ref.line.seats });
  }
  return out;
}

/** `v1=<hex>`: HMAC-SHA256 with the webhook's secret over `<timestamp>.<body>` (timestamp in seconds). */
export function signDelivery(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export const DEFAULT_RETRY_DELAYS_MS = [10_000, 60_000, 600_000, 3_600_000];

/** Delay before attempt `attempt + 1` after attempt `attempt` (1-based) failed; null: give up. */
export function retryDelay(attempt: number, delays: readonly number[] = DEFAULT_RETRY_DELAYS_MS): number | null {
  return attempt <= delays.length ? delays[attempt - 1]! : null;
}

// Loopback, private, link-local (cloud metadata), carrier-grade NAT, unspecified and multicast.
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** An address a webhook must not reach unless the operator allowed private targets. */
export function isPrivateAddress(address: string): boolean {
  const v = isIP(address);
  if (v === 0) return true;
  const mapped = address.toLowerCase().match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  return blocked.check(address, v === 4 ? 'ipv4' : 'ipv6');
}

// Signed webhooks: an admin registers an https URL for events; each delivery is a JSON POST signed
// with HMAC-SHA256 over `<timestamp>.<body>` (header x-seatkeeper-signature: v1=<hex>), retried
// with backoff, and listed in the delivery log.
import { z } from 'zod';

/** What can be subscribed to: the organization's activity, as the dashboard feed shows it. */
export const WEBHOOK_EVENTS = [
  'seat.changed',
  /** every seat of a contract line is assigned (once per crossing, on an assign or an accept) */
  'seat.limit-reached',
  'member.changed',
  'device.changed',
  'switch.applied',
  'lease.granted',
  'lease.revoked',
  'sign-in.refused',
  /** a product's refused `check`s in a UTC day reached the organization's threshold (once a day per product) */
  'denials.above-threshold',
] as const;
export const WebhookEvent = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export const CreateWebhookBody = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  /** omitted: every event */
  events: z.array(WebhookEvent).min(1).max(WEBHOOK_EVENTS.length).optional(),
});
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

export const WebhookView = z.object({ id: z.string(), url: z.string(), events: z.array(WebhookEvent), createdAt: z.number() });
export type WebhookView = z.infer<typeof WebhookView>;

/** The create reply: the only time the signing secret is shown. */
export const CreatedWebhook = WebhookView.extend({ secret: z.string() });
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;

export const WebhookDeliveryView = z.object({
  id: z.string(),
  webhookId: z.string(),
  event: WebhookEvent,
  attempt: z.number(),
  at: z.number(),
  /** HTTP status, or null when there was no answer (refused, timed out, not allowed) */
  status: z.number().nullable(),
  error: z.string().nullable(),
  /** another attempt is due at this time; null when done or given up */
  nextAttemptAt: z.number().nullable(),
});
export type WebhookDeliveryView = z.infer<typeof WebhookDeliveryView>;

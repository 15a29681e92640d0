// Reading the organization's append-only audit log.
import { z } from 'zod';
import { Timestamp } from './contracts.js';

/** Query strings arrive as text: numbers are coerced here. */
const QueryTime = z.union([z.coerce.number().int().min(0).max(8.64e15), Timestamp]);

export const MAX_AUDIT_LIMIT = 1000;

export const AuditQueryParams = z.strictObject({
  from: QueryTime.optional(),
  to: QueryTime.optional(),
  actor: z.string().min(1).max(140).optional(),
  target: z.string().min(1).max(140).optional(),
  action: z.string().min(1).max(80).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_LIMIT).default(200),
});
export type AuditQueryParams = z.infer<typeof AuditQueryParams>;

export const AuditEventView = z.object({
  id: z.string(),
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export type AuditEventView = z.infer<typeof AuditEventView>;

export const AuditPage = z.object({ events: z.array(AuditEventView) });
export type AuditPage = z.infer<typeof AuditPage>;

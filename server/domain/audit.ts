// Builds audit events. Secrets and hashes never go into before/after.
import type { AuditEvent } from './model.js';

export function auditEvent(
  ids: (prefix: string) => string,
  at: number,
  orgId: string,
  actor: string,
  action: string,
  target: string,
  before: unknown = null,
  after: unknown = null,
): AuditEvent {
  return { id: ids('aud'), at, orgId, actor, action, target, before: strip(before), after: strip(after) };
}

function strip(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v ?? null;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (/hash|token|password|secret/i.test(k)) continue;
    out[k] = val;
  }
  return out;
}

// Why a lease was revoked, as a plain list: the zod enum (lease.ts) and the agent's zod-free `check`
// path (agent/state/shapes.ts) both read it, so the two cannot drift apart.
export const REVOKE_REASONS = [
  'unassigned',
  'reassigned',
  'member-removed',
  // still assigned, but out of the project team a two-tier product needs
  'team-removed',
  'device-revoked',
  'contract-ended',
  'method-switched',
  'signed-out',
  'superseded',
] as const;

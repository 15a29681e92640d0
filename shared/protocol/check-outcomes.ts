// What a `check` can answer, as a plain list: the zod enum (usage.ts) and the agent's zod-free
// `check` path (agent/state/usage-spool.ts) both read it, so the two cannot drift apart.
export const CHECK_OUTCOMES = ['ok', 'no-lease', 'revoked', 'expired', 'tampered', 'wrong-device', 'clock-rolled-back'] as const;
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number];

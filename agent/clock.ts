// Time as the agent sees it, injected everywhere so tests can move it (clock rollback, expiry).
export interface Clock {
  /** epoch milliseconds */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

declare const __SEATKEEPER_TEST_HOOKS__: boolean | undefined;

/**
 * Whether test hooks (SEATKEEPER_FAKE_NOW, SEATKEEPER_MACHINE_ID) are honoured. Decided when the
 * agent is built: the shipped bundle (dist/agent.cjs, and the executables made from it) is built
 * with false, so no local user can move its clock; the sources under test and the test bundle
 * (dist/agent-hooks.cjs) honour them.
 */
export const TEST_HOOKS: boolean = typeof __SEATKEEPER_TEST_HOOKS__ === 'boolean' ? __SEATKEEPER_TEST_HOOKS__ : true;

/** A clock fixed at `ms` (the CLI's SEATKEEPER_FAKE_NOW test hook). */
export const fixedClock = (ms: number): Clock => ({ now: () => ms });

// Time as the agent sees it, injected everywhere so tests can move it (clock rollback, expiry).
export interface Clock {
  /** epoch milliseconds */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock fixed at `ms` (the CLI's SEATKEEPER_FAKE_NOW test hook). */
export const fixedClock = (ms: number): Clock => ({ now: () => ms });

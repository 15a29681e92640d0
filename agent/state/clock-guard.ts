// clock.json: the highest time this device has seen. Leases are bounded by `exp`, so turning the
// clock back would stretch them; a clock more than the tolerance behind the highest is refused.
import { isPermissionError, StateAccessError } from './access-error.js';
import { readJson, readJsonSync, writeJsonAtomic } from './atomic-write.js';
import { PUBLIC_FILE_MODE } from './modes.js';
import type { StatePaths } from './paths.js';
import { isPlainObject } from './shapes.js';

/** NTP steps and VM snapshot resumes move clocks by seconds; five minutes back is not an accident. */
export const CLOCK_ROLLBACK_TOLERANCE_MS = 5 * 60 * 1000;

/** { highestSeen: epoch ms } (no zod: `check` reads it). */
const highestSeenOf = (raw: unknown): number | null =>
  isPlainObject(raw) && Number.isSafeInteger(raw.highestSeen) && (raw.highestSeen as number) >= 0 ? (raw.highestSeen as number) : null;

export type ClockVerdict = { ok: true; highestSeen: number } | { ok: false; highestSeen: number; behindMs: number };

export async function readHighestSeen(paths: StatePaths): Promise<number> {
  try {
    return highestSeenOf(await readJson(paths.clock)) ?? 0;
  } catch {
    return 0;
  }
}

/**
 * readHighestSeen without the thread pool (for `check`). A guard file this user may not read is
 * thrown (StateAccessError) rather than taken as 0: that would let any clock pass.
 */
export function readHighestSeenSync(paths: StatePaths): number {
  try {
    return highestSeenOf(readJsonSync(paths.clock)) ?? 0;
  } catch (e) {
    if (isPermissionError(e)) throw new StateAccessError(paths.clock, e.code!);
    return 0;
  }
}

export function judgeClock(now: number, highestSeen: number, toleranceMs = CLOCK_ROLLBACK_TOLERANCE_MS): ClockVerdict {
  const behindMs = highestSeen - now;
  return behindMs > toleranceMs ? { ok: false, highestSeen, behindMs } : { ok: true, highestSeen };
}

/** Records `now` when it is higher than what was seen. Returns whether it wrote. */
export async function raiseHighestSeen(paths: StatePaths, now: number): Promise<boolean> {
  // Re-read right before writing so a concurrent writer's higher value is not lowered by us.
  const current = await readHighestSeen(paths);
  if (now <= current) return false;
  await writeJsonAtomic(paths.clock, { highestSeen: now }, { mode: PUBLIC_FILE_MODE });
  return true;
}

// status.json: written by the daemon so `status` (another process) can say whether it is connected.
import { z } from 'zod';
import { readValid, writeJsonAtomic } from './atomic-write.js';
import type { StatePaths } from './paths.js';

export const DaemonStatus = z.object({
  pid: z.number().int(),
  connected: z.boolean(),
  /** epoch ms when `connected` last changed */
  since: z.number().int(),
  /** epoch ms of the last write (the daemon writes when its connection changes; `status` checks `pid` for liveness) */
  updatedAt: z.number().int(),
  server: z.string(),
  lastError: z.string().nullable(),
});
export type DaemonStatus = z.infer<typeof DaemonStatus>;

export async function readDaemonStatus(paths: StatePaths): Promise<DaemonStatus | null> {
  return readValid(paths.status, DaemonStatus);
}

export async function writeDaemonStatus(paths: StatePaths, status: DaemonStatus): Promise<void> {
  await writeJsonAtomic(paths.status, DaemonStatus.parse(status));
}

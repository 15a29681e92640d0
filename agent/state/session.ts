// session.json: who is signed in on this device, as the server last said (login.done, reconcile).
import { z } from 'zod';
import { AccountRef } from '../../shared/protocol/common.js';
import { readValid, writeJsonAtomic } from './atomic-write.js';
import type { StatePaths } from './paths.js';

const SessionFile = z.object({ account: AccountRef.nullable(), updatedAt: z.number().int() });
export type Session = z.infer<typeof SessionFile>;

export async function readSession(paths: StatePaths): Promise<Session | null> {
  return readValid(paths.session, SessionFile);
}

export async function writeSession(paths: StatePaths, account: AccountRef | null, now: number): Promise<void> {
  const current = await readSession(paths);
  // Unchanged: skip the write (reconcile repeats the account on every connect).
  if (current && JSON.stringify(current.account) === JSON.stringify(account)) return;
  await writeJsonAtomic(paths.session, { account, updatedAt: now });
}

// usage-outbox.json: counted batches of `check` answers the server has not acknowledged yet. The
// daemon sends them on every connect and after every fold, and forgets a batch on its usage.ack.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { MAX_USAGE_ROWS, UsageCount } from '../../shared/protocol/usage.js';
import { MessageId } from '../../shared/protocol/common.js';
import { readValid, writeJsonAtomic } from './atomic-write.js';
import type { StatePaths } from './paths.js';

/** Batches kept while the server is away (~20,000 rows); the oldest go first past it. */
export const MAX_OUTBOX_BATCHES = 100;

const Batch = z.strictObject({ id: MessageId, counts: z.array(UsageCount).min(1).max(MAX_USAGE_ROWS) });
export type UsageBatch = z.infer<typeof Batch>;
const Outbox = z.strictObject({ schema: z.literal(1), batches: z.array(Batch).max(MAX_OUTBOX_BATCHES) });

export async function readOutbox(paths: StatePaths): Promise<UsageBatch[]> {
  return (await readValid(paths.usageOutbox, Outbox))?.batches ?? [];
}

export async function writeOutbox(paths: StatePaths, batches: readonly UsageBatch[]): Promise<void> {
  await writeJsonAtomic(paths.usageOutbox, { schema: 1, batches: batches.slice(-MAX_OUTBOX_BATCHES) }, { mode: 0o600 });
}

/** New batches (at most MAX_USAGE_ROWS rows each) for `counts`. */
export function batchesOf(counts: readonly UsageCount[]): UsageBatch[] {
  const out: UsageBatch[] = [];
  for (let i = 0; i < counts.length; i += MAX_USAGE_ROWS) out.push({ id: `use_${randomBytes(9).toString('base64url')}`, counts: counts.slice(i, i + MAX_USAGE_ROWS) });
  return out;
}

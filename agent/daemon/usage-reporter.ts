// Counts the `check` answers users left in the spool and reports them: on a timer and on every
// connect, batch by batch, forgetting a batch only when the server acknowledged it (usage.ack).
import type { Outgoing, AgentToServer } from '../../shared/protocol/messages.js';
import type { Clock } from '../clock.js';
import type { Timers } from '../link/timers.js';
import type { AgentLogger } from '../log.js';
import type { StatePaths } from '../state/paths.js';
import { foldSpool, forgetTaken, prepareUsageDirs } from '../state/usage-fold.js';
import { batchesOf, readOutbox, writeOutbox, type UsageBatch } from '../state/usage-outbox.js';

export const DEFAULT_USAGE_EVERY_MS = 5 * 60_000;

export interface UsageReporterOptions {
  paths: StatePaths;
  clock: Clock;
  logger: AgentLogger;
  timers: Timers;
  link: { readonly ready: boolean; send(msg: Outgoing<AgentToServer>): boolean };
  everyMs?: number | undefined;
}

export class UsageReporter {
  readonly #o: UsageReporterOptions;
  #batches: UsageBatch[] = [];
  /** fold, send and ack run one at a time, in order */
  #chain: Promise<void> = Promise.resolve();
  #timer: unknown = null;
  #closed = false;

  constructor(o: UsageReporterOptions) {
    this.#o = o;
  }

  async start(): Promise<void> {
    // `check` runs as any user and can only write where this directory lets it.
    await prepareUsageDirs(this.#o.paths).catch((e: Error) => this.#o.logger.warn('usage: could not prepare the spool directory', { error: e.message }));
    this.#batches = await readOutbox(this.#o.paths);
    this.#loop();
  }

  /** Folds the spool and sends every unacknowledged batch (when connected). */
  report(): void {
    this.#run(async () => {
      await this.#fold();
      this.#sendAll();
    });
  }

  acked(id: string): Promise<void> {
    return this.#run(async () => {
      const before = this.#batches.length;
      this.#batches = this.#batches.filter((b) => b.id !== id);
      if (this.#batches.length !== before) await writeOutbox(this.#o.paths, this.#batches);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = null;
    await this.#chain;
  }

  #run(job: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(job).catch((e: Error) => {
      this.#o.logger.warn('usage: report failed', { error: e.message });
    });
    return this.#chain;
  }

  #loop(): void {
    this.#timer = this.#o.timers.setTimeout(() => {
      if (this.#closed) return;
      this.report();
      void this.#chain.finally(() => {
        if (!this.#closed) this.#loop();
      });
    }, this.#o.everyMs ?? DEFAULT_USAGE_EVERY_MS);
  }

  async #fold(): Promise<void> {
    const { paths, clock, logger } = this.#o;
    const f = await foldSpool(paths, clock.now());
    if (f.dropped > 0) logger.warn('usage: spool lines refused', { dropped: f.dropped });
    if (f.counts.length > 0) {
      this.#batches.push(...batchesOf(f.counts));
      await writeOutbox(paths, this.#batches);
      logger.debug('usage: checks counted', { rows: f.counts.length });
    }
    // Only once the counts are saved: a crash before this counts the files again, never loses them.
    await forgetTaken(f.taken);
  }

  #sendAll(): void {
    if (!this.#o.link.ready) return;
    for (const b of this.#batches) if (!this.#o.link.send({ type: 'usage.report', id: b.id, counts: b.counts })) return;
  }
}

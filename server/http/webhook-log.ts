// The webhook delivery log, written in batches: attempts wait in memory and are committed in one
// store transaction per tick for every organization at once, so a burst of deliveries costs one
// durable write per tick instead of one per attempt. Bounded in memory; close() commits the rest.
import type { Logger } from '../core/log.js';
import type { WebhookDelivery } from '../domain/model.js';
import type { Store } from '../store/store.js';
import type { DeliveryLogOptions } from '../core/config.js';

export const defaultDeliveryLogOptions: DeliveryLogOptions = { flushMs: 1000, maxPending: 5000, kept: 500 };

export class DeliveryLog {
  #pending = new Map<string, WebhookDelivery[]>();
  /** the batch being committed: still shown until the commit is done */
  #committing = new Map<string, WebhookDelivery[]>();
  #count = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #dropped = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly opts: DeliveryLogOptions = defaultDeliveryLogOptions,
  ) {}

  /** Records an attempt; it is durable once the next batch is committed. */
  add(orgId: string, d: WebhookDelivery): void {
    this.#queue(orgId, [d]);
    if (this.#count >= this.opts.maxPending) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.opts.flushMs).unref();
  }

  /**
   * The attempts of an organization not committed yet, oldest first (while a batch commits, its
   * attempts may be in the document already too: readers drop repeats by id and attempt).
   */
  pending(orgId: string): readonly WebhookDelivery[] {
    return [...(this.#committing.get(orgId) ?? []), ...(this.#pending.get(orgId) ?? [])];
  }

  /** Commits every waiting attempt in one transaction (one batch at a time). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#flushing) await this.#flushing;
    if (this.#count === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#committing = batch;
    this.#count = 0;
    const kept = this.opts.kept;
    this.#flushing = this.store
      .tx((t) => {
        for (const [orgId, list] of batch) {
          const doc = t.org(orgId);
          if (!doc) continue;
          const log = (doc.webhookDeliveries ??= []);
          log.push(...list.slice(-kept));
          if (log.length > kept) log.splice(0, log.length - kept);
        }
      })
      .catch((e: Error) => {
        // Storage trouble: the batch waits for the next tick, ahead of what came meanwhile.
        this.log.warn('webhook delivery log not written; will retry', { error: e.message });
        const later = this.#pending;
        this.#pending = new Map();
        this.#count = 0;
        for (const [orgId, list] of batch) this.#queue(orgId, list);
        for (const [orgId, list] of later) this.#queue(orgId, list);
        this.#timer ??= setTimeout(() => void this.flush(), this.opts.flushMs).unref();
      })
      .finally(() => {
        this.#committing = new Map();
        this.#flushing = undefined;
      });
    await this.#flushing;
    if (this.#dropped > 0) {
      this.log.warn('webhook delivery log entries dropped while storage was failing', { dropped: this.#dropped });
      this.#dropped = 0;
    }
  }

  /** Commits what is left (a clean shutdown loses nothing) and stops the timer; safe to call twice. */
  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #queue(orgId: string, items: readonly WebhookDelivery[]): void {
    let list = this.#pending.get(orgId);
    if (!list) this.#pending.set(orgId, (list = []));
    list.push(...items);
    this.#count += items.length;
    // The bound: beyond it the oldest waiting attempts of this organization go first.
    while (this.#count > this.opts.maxPending && list.length > 0) {
      list.shift();
      this.#count--;
      this.#dropped++;
    }
  }
}

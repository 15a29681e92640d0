// The batched delivery log: many attempts, one transaction per tick; bounded while storage fails;
// nothing lost on close. A real in-memory store, its transactions counted.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../core/log.js';
import { emptyOrgDoc, type WebhookDelivery } from '../domain/model.js';
import { DocStore } from '../store/doc-store.js';
import { memoryBackend } from '../store/memory-store.js';
import { DeliveryLog } from './webhook-log.js';

const log = createLogger({ silent: true });
const org = (id: string) =>
  emptyOrgDoc({ id, name: id, aliasDomains: [], salt: 's', claimedBy: null, claimedAt: null, termsAcceptedAt: null, settings: { leaseTtlSeconds: 3600 }, createdAt: 1 });
const attempt = (i: number): WebhookDelivery => ({ id: `whd_${i}`, webhookId: 'whk_1', event: 'seat.changed', attempt: 1, at: i, status: 200, error: null, nextAttemptAt: null });

let store: DocStore;
let txs = 0;
async function open(): Promise<DocStore> {
  store = new DocStore(memoryBackend());
  await store.open();
  await store.tx((t) => {
    t.createOrg(org('org_a'));
    t.createOrg(org('org_b'));
  });
  const tx = store.tx.bind(store);
  txs = 0;
  store.tx = ((fn: never) => {
    txs++;
    return tx(fn);
  }) as typeof store.tx;
  return store;
}
afterEach(() => store?.close());

describe('webhook delivery log', () => {
  it('commits a burst of attempts of several organizations in one transaction, shown as pending until then', async () => {
    const s = await open();
    const dl = new DeliveryLog(s, log, { flushMs: 60_000, maxPending: 1000, kept: 500 });
    for (let i = 0; i < 300; i++) dl.add(i % 3 ? 'org_a' : 'org_b', attempt(i));
    expect(txs).toBe(0);
    expect(dl.pending('org_a')).toHaveLength(200);
    await dl.flush();
    expect(txs).toBe(1);
    expect(s.org('org_a')!.webhookDeliveries).toHaveLength(200);
    expect(s.org('org_b')!.webhookDeliveries!.map((d) => d.id)).toEqual(Array.from({ length: 100 }, (_, i) => `whd_${i * 3}`));
    expect(dl.pending('org_a')).toEqual([]);
    await dl.close();
    expect(txs).toBe(1);
  });

  it('still shows a batch while it commits, and not after', async () => {
    const s = await open();
    const tx = s.tx;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    s.tx = (async (fn: never) => {
      await gate;
      return tx(fn);
    }) as typeof s.tx;
    const dl = new DeliveryLog(s, log, { flushMs: 60_000, maxPending: 1000, kept: 500 });
    dl.add('org_a', attempt(1));
    const flushed = dl.flush();
    expect(dl.pending('org_a').map((d) => d.id)).toEqual(['whd_1']);
    release();
    await flushed;
    expect(dl.pending('org_a')).toEqual([]);
    expect(s.org('org_a')!.webhookDeliveries!.map((d) => d.id)).toEqual(['whd_1']);
  });

  it('keeps the newest attempts per organization, and commits at once when the bound is reached', async () => {
    const s = await open();
    const dl = new DeliveryLog(s, log, { flushMs: 60_000, maxPending: 50, kept: 20 });
    for (let i = 0; i < 49; i++) dl.add('org_a', attempt(i));
    expect(txs).toBe(0);
    dl.add('org_a', attempt(49));
    await dl.flush();
    expect(txs).toBe(1);
    expect(s.org('org_a')!.webhookDeliveries!.map((d) => d.at)).toEqual(Array.from({ length: 20 }, (_, i) => 30 + i));
  });

  it('keeps a batch that could not be written for the next tick, bounded, and writes it on close', async () => {
    const s = await open();
    const dl = new DeliveryLog(s, log, { flushMs: 60_000, maxPending: 10, kept: 500 });
    const tx = s.tx;
    s.tx = (() => Promise.reject(new Error('ENOSPC'))) as typeof s.tx;
    for (let i = 0; i < 5; i++) dl.add('org_a', attempt(i));
    await dl.flush();
    expect(dl.pending('org_a')).toHaveLength(5);
    for (let i = 5; i < 15; i++) dl.add('org_a', attempt(i));
    await dl.flush();
    // Past the bound the oldest went; what is left waits for the storage.
    expect(dl.pending('org_a').map((d) => d.at)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    s.tx = tx;
    await dl.close();
    expect(s.org('org_a')!.webhookDeliveries!.map((d) => d.at)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    await dl.close();
  });

  it('skips an organization removed meanwhile without losing the others', async () => {
    const s = await open();
    const dl = new DeliveryLog(s, log, { flushMs: 10, maxPending: 100, kept: 500 });
    dl.add('org_gone', attempt(1));
    dl.add('org_b', attempt(2));
    await dl.close();
    expect(s.org('org_b')!.webhookDeliveries).toHaveLength(1);
  });
});

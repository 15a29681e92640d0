// Pushes sent to a device and not yet acknowledged, per device (the daemon and a `login` process
// share one state directory, so an ack from either socket settles it). Each entry rebuilds its
// frame from the current state when resent, so a resend never brings back something undone since.
import { performance } from 'node:perf_hooks';
import type { Outgoing, ServerPush } from '../../shared/protocol/index.js';

export type PushKind = 'lease.grant' | 'lease.revoke' | 'reconcile' | 'method.switch' | 'inventory.request';

export interface PushEntry {
  id: string;
  kind: PushKind;
  /** for lease pushes: which product, so a newer push for it replaces an older one */
  productCode?: string;
  jti?: string;
  sentAt: number;
  /** the frame to send again, or null when it no longer applies (then it is dropped) */
  rebuild(): Outgoing<ServerPush> | null;
}

/** Told of each push kept and of each ack that settles one: the metrics listen (drops and replacements are not acks). */
export interface PushObserver {
  sent(kind: PushKind): void;
  /** `seconds` from the push being kept to its ack, resends included */
  acked(kind: PushKind, seconds: number): void;
}

/** Lease pushes are covered by the reconcile a reconnect gets; only these survive a reconnect. */
const survivesReconnect = new Set<PushKind>(['method.switch', 'inventory.request']);

/** Bounded so a device that never acks cannot grow the server's memory. */
export const MAX_PENDING_PER_DEVICE = 200;

export class Outbox {
  readonly #byDevice = new Map<string, Map<string, PushEntry>>();
  /** when each entry was kept (monotonic, for the ack latency; weak: dropped entries go with it) */
  readonly #keptAt = new WeakMap<PushEntry, number>();
  observer: PushObserver | undefined;

  add(deviceKey: string, entry: PushEntry): void {
    this.#keptAt.set(entry, performance.now());
    this.observer?.sent(entry.kind);
    let m = this.#byDevice.get(deviceKey);
    if (!m) this.#byDevice.set(deviceKey, (m = new Map()));
    // A newer push about the same product makes older, unacked ones moot (grant after revoke or the reverse).
    if (entry.productCode) for (const [id, e] of m) if (e.productCode === entry.productCode) m.delete(id);
    m.set(entry.id, entry);
    while (m.size > MAX_PENDING_PER_DEVICE) m.delete(m.keys().next().value!);
  }

  ack(deviceKey: string, id: string): boolean {
    const entry = this.#remove(deviceKey, id);
    if (entry && this.observer) this.observer.acked(entry.kind, (performance.now() - (this.#keptAt.get(entry) ?? performance.now())) / 1000);
    return entry !== undefined;
  }

  #remove(deviceKey: string, id: string): PushEntry | undefined {
    const m = this.#byDevice.get(deviceKey);
    const entry = m?.get(id);
    if (entry) m!.delete(id);
    if (m && m.size === 0) this.#byDevice.delete(deviceKey);
    return entry;
  }

  has(deviceKey: string, id: string): boolean {
    return this.#byDevice.get(deviceKey)?.has(id) ?? false;
  }

  /** On reconnect: forget what the reconcile covers, return the rest to send again. */
  afterReconnect(deviceKey: string): PushEntry[] {
    const m = this.#byDevice.get(deviceKey);
    if (!m) return [];
    for (const [id, e] of m) if (!survivesReconnect.has(e.kind)) m.delete(id);
    return [...m.values()];
  }

  /** Entries sent longer than `afterMs` ago, per device. */
  *due(now: number, afterMs: number): Generator<[string, PushEntry]> {
    for (const [key, m] of this.#byDevice) for (const e of m.values()) if (now - e.sentAt >= afterMs) yield [key, e];
  }

  drop(deviceKey: string, id: string): void {
    this.#remove(deviceKey, id);
  }

  forgetDevice(deviceKey: string): void {
    this.#byDevice.delete(deviceKey);
  }

  size(deviceKey: string): number {
    return this.#byDevice.get(deviceKey)?.size ?? 0;
  }
}

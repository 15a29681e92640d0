// Who is online across the cluster (PostgreSQL, several nodes): every few seconds a node records
// the devices it holds sockets for and reads the other live nodes' (store.sharePresence), so the
// dashboard, the devices list and the usage sampler count every node's agents, not only its own.
// A node that died stops refreshing its rows, and they stop counting after a few periods.
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Presence } from '../core/presence.js';
import type { LivePresence } from './live-presence.js';
import type { OrgIndex } from '../domain/org-index.js';
import type { Store } from '../store/store.js';

/** How often a node shares its presence; another node's entry counts for three periods. */
export const PRESENCE_SHARE_MS = 5000;

export class ClusterPresence implements Presence {
  readonly #local: LivePresence;
  readonly #store: Store & Required<Pick<Store, 'sharePresence'>>;
  readonly #indexOf: (orgId: string) => OrgIndex | undefined;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #everyMs: number;
  #remote = new Map<string, Set<string>>();
  #remoteAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #busy: Promise<void> | undefined;

  constructor(local: LivePresence, store: Store & Required<Pick<Store, 'sharePresence'>>, indexOf: (orgId: string) => OrgIndex | undefined, clock: Clock, log: Logger, everyMs = PRESENCE_SHARE_MS) {
    this.#local = local;
    this.#store = store;
    this.#indexOf = indexOf;
    this.#clock = clock;
    this.#log = log;
    this.#everyMs = everyMs;
  }

  start(): void {
    this.#timer = setInterval(() => void this.share(), this.#everyMs);
    this.#timer.unref();
    void this.share();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#busy;
  }

  /** Records this node's devices and reads the others'. */
  share(): Promise<void> {
    this.#busy ??= (async () => {
      const online = new Map<string, string[]>();
      for (const orgId of this.#store.orgIds()) {
        const here = this.#local.onlineDevices(orgId);
        if (here.size > 0) online.set(orgId, [...here]);
      }
      try {
        this.#remote = await this.#store.sharePresence(online, this.#everyMs * 3);
        this.#remoteAt = this.#clock();
      } catch (e) {
        // The database is away: the others' entries age out below; this node's own count stays right.
        this.#log.debug('presence not shared', { error: (e as Error).message });
      }
    })().finally(() => (this.#busy = undefined));
    return this.#busy;
  }

  #remoteOf(orgId: string): Set<string> | undefined {
    return this.#clock() - this.#remoteAt <= this.#everyMs * 3 ? this.#remote.get(orgId) : undefined;
  }

  onlineDevices(orgId: string): Set<string> {
    const here = this.#local.onlineDevices(orgId);
    const there = this.#remoteOf(orgId);
    if (!there) return here;
    for (const id of there) here.add(id);
    return here;
  }

  inUseByLine(orgId: string): Record<string, number> {
    const out = this.#local.inUseByLine(orgId);
    const there = this.#remoteOf(orgId);
    const idx = there && there.size > 0 ? this.#indexOf(orgId) : undefined;
    if (!there || !idx) return out;
    const here = this.#local.onlineDevices(orgId);
    const now = this.#clock();
    for (const deviceId of there) {
      if (here.has(deviceId)) continue;
      for (const l of idx.liveLeasesOf(deviceId, now)) out[l.lineId] = (out[l.lineId] ?? 0) + 1;
    }
    return out;
  }

  lastSeen(orgId: string, deviceId: string): number | null {
    const here = this.#local.lastSeen(orgId, deviceId);
    // Asked once per device by the devices list: a lookup, not a copy of the org's online set.
    if (this.#local.isOnline(orgId, deviceId)) return here;
    return this.#remoteOf(orgId)?.has(deviceId) ? Math.max(here ?? 0, this.#remoteAt) : here;
  }
}

// Who is online across the cluster (PostgreSQL, several nodes): every few seconds a node records
// the devices it holds sockets for and reads the other live nodes' (store.sharePresence), so the
// dashboard, the devices list and the usage sampler count every node's agents, not only its own.
// A node that died stops refreshing its rows, and they stop counting after a few periods. When
// devices come or go on a node it shares at once and wakes the others (store.signal), which read
// its presence and tell their live dashboards, so every node's dashboard follows within moments.
import type { Clock } from '../core/clock.js';
import type { Events } from '../core/events.js';
import type { Logger } from '../core/log.js';
import type { Presence } from '../core/presence.js';
import type { LivePresence } from './live-presence.js';
import type { OrgIndex } from '../domain/org-index.js';
import type { Store } from '../store/store.js';

/** How often a node shares its presence; another node's entry counts for three periods. */
export const PRESENCE_SHARE_MS = 5000;
/** What nodes are told (store.signal) when devices came or went on one of them. */
export const PRESENCE_TOPIC = 'presence';

export interface ClusterPresenceOptions {
  /** how often presence is shared regardless of changes (default PRESENCE_SHARE_MS) */
  everyMs?: number;
  /** devices coming and going within this window are shared together (default 100 ms) */
  settleMs?: number;
  /** told `presence` for each organization whose devices online changed, here or elsewhere */
  events?: Pick<Events, 'emit'>;
}

export class ClusterPresence implements Presence {
  readonly #local: LivePresence;
  readonly #store: Store & Required<Pick<Store, 'sharePresence'>>;
  readonly #indexOf: (orgId: string) => OrgIndex | undefined;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #everyMs: number;
  readonly #settleMs: number;
  readonly #events: Pick<Events, 'emit'> | undefined;
  #remote = new Map<string, Set<string>>();
  #remoteAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #busy: Promise<void> | undefined;
  /** a share was asked for while one ran: run again after it */
  #again = false;
  /** a share soon, and whether to wake the other nodes after it (devices came or went here) */
  #soon: NodeJS.Timeout | undefined;
  #tell = false;
  #offSignal: (() => void) | undefined;
  #closed = false;

  constructor(local: LivePresence, store: Store & Required<Pick<Store, 'sharePresence'>>, indexOf: (orgId: string) => OrgIndex | undefined, clock: Clock, log: Logger, opts: ClusterPresenceOptions = {}) {
    this.#local = local;
    this.#store = store;
    this.#indexOf = indexOf;
    this.#clock = clock;
    this.#log = log;
    this.#everyMs = opts.everyMs ?? PRESENCE_SHARE_MS;
    this.#settleMs = opts.settleMs ?? 100;
    this.#events = opts.events;
  }

  start(): void {
    this.#timer = setInterval(() => void this.share(), this.#everyMs);
    this.#timer.unref();
    // A device came or went here: dashboards here hear it at once, the other nodes once shared.
    this.#local.onChange = (orgId) => {
      this.#events?.emit('presence', { orgId });
      this.#shareSoon(true);
    };
    // Another node's devices came or went: read its presence now rather than at the next period.
    this.#offSignal = this.#store.onSignal?.((topic) => topic === PRESENCE_TOPIC && this.#shareSoon(false));
    void this.share();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#soon);
    this.#offSignal?.();
    this.#local.onChange = undefined;
    await this.#busy;
  }

  #shareSoon(tell: boolean): void {
    this.#tell ||= tell;
    if (this.#soon || this.#closed) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      const tellOthers = this.#tell;
      this.#tell = false;
      void this.share().then(() => {
        if (tellOthers && !this.#closed) this.#store.signal?.(PRESENCE_TOPIC);
      });
    }, this.#settleMs);
    this.#soon.unref();
  }

  /** Records this node's devices and reads the others'; organizations whose remote devices changed are told. */
  share(): Promise<void> {
    if (this.#busy) {
      this.#again = true;
      return this.#busy;
    }
    this.#busy = (async () => {
      do {
        this.#again = false;
        const online = new Map<string, string[]>();
        for (const orgId of this.#store.orgIds()) {
          const here = this.#local.onlineDevices(orgId);
          if (here.size > 0) online.set(orgId, [...here]);
        }
        try {
          const before = this.#remote;
          this.#remote = await this.#store.sharePresence(online, this.#everyMs * 3);
          this.#remoteAt = this.#clock();
          for (const orgId of changedOrgs(before, this.#remote)) this.#events?.emit('presence', { orgId });
        } catch (e) {
          // The database is away: the others' entries age out below; this node's own count stays right.
          this.#log.debug('presence not shared', { error: (e as Error).message });
        }
      } while (this.#again && !this.#closed);
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

/** Organizations whose set of devices differs between `a` and `b`. */
function changedOrgs(a: ReadonlyMap<string, Set<string>>, b: ReadonlyMap<string, Set<string>>): string[] {
  const out: string[] = [];
  for (const orgId of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(orgId);
    const y = b.get(orgId);
    if ((x?.size ?? 0) !== (y?.size ?? 0) || [...(x ?? [])].some((d) => !y?.has(d))) out.push(orgId);
  }
  return out;
}

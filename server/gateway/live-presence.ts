// The in-memory Presence: which devices have an authenticated socket, and when each was last
// heard from. Never stored; device.lastSeenAt is written only on connect and disconnect.
import type { OrgIndex } from '../domain/org-index.js';
import type { Clock } from '../core/clock.js';
import type { Presence } from '../core/presence.js';

export class LivePresence implements Presence {
  readonly #sockets = new Map<string, Map<string, number>>();
  readonly #lastSeen = new Map<string, number>();
  readonly #clock: Clock;
  readonly #indexOf: (orgId: string) => OrgIndex | undefined;

  constructor(clock: Clock, indexOf: (orgId: string) => OrgIndex | undefined) {
    this.#clock = clock;
    this.#indexOf = indexOf;
  }

  /** Told when a device comes online here (its first socket) or goes offline (its last socket closed). */
  onChange: ((orgId: string, deviceId: string) => void) | undefined;

  /** A socket of the device authenticated. */
  connected(orgId: string, deviceId: string): void {
    let org = this.#sockets.get(orgId);
    if (!org) this.#sockets.set(orgId, (org = new Map()));
    const before = org.get(deviceId) ?? 0;
    org.set(deviceId, before + 1);
    this.seen(orgId, deviceId);
    if (before === 0) this.onChange?.(orgId, deviceId);
  }

  /** A socket of the device closed; returns how many it still has. */
  disconnected(orgId: string, deviceId: string): number {
    const org = this.#sockets.get(orgId);
    const left = Math.max(0, (org?.get(deviceId) ?? 1) - 1);
    const had = org?.has(deviceId) ?? false;
    if (left === 0) org?.delete(deviceId);
    else org?.set(deviceId, left);
    this.seen(orgId, deviceId);
    if (left === 0 && had) this.onChange?.(orgId, deviceId);
    return left;
  }

  seen(orgId: string, deviceId: string): void {
    this.#lastSeen.set(`${orgId}/${deviceId}`, this.#clock());
  }

  isOnline(orgId: string, deviceId: string): boolean {
    return (this.#sockets.get(orgId)?.get(deviceId) ?? 0) > 0;
  }

  onlineDevices(orgId: string): Set<string> {
    return new Set(this.#sockets.get(orgId)?.keys() ?? []);
  }

  inUseByLine(orgId: string): Record<string, number> {
    const online = this.#sockets.get(orgId);
    const out: Record<string, number> = {};
    const idx = online && online.size > 0 ? this.#indexOf(orgId) : undefined;
    if (!online || !idx) return out;
    const now = this.#clock();
    for (const deviceId of online.keys()) for (const l of idx.liveLeasesOf(deviceId, now)) out[l.lineId] = (out[l.lineId] ?? 0) + 1;
    return out;
  }

  lastSeen(orgId: string, deviceId: string): number | null {
    return this.#lastSeen.get(`${orgId}/${deviceId}`) ?? null;
  }
}

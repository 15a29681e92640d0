// The authenticated sockets of each device and the pushes sent to them: every push has an id, is
// kept until acked, and is rebuilt from the current state when it is sent again.
import type { KeyObject } from 'node:crypto';
import type { Outgoing, ServerPush } from '../../shared/protocol/index.js';
import { findLine, isLive } from '../domain/entitlements.js';
import type { FeedItem } from '../core/events.js';
import type { CoreServices } from '../core/services.js';
import type { ActivationMethod, Lease, RevokeReason } from '../domain/model.js';
import type { AgentConnection } from './connection.js';
import { revocationOf, type DeviceChange } from './lease-sync.js';
import { EncodedFrame } from './protocol-compat.js';
import { Slicer } from '../core/slicer.js';
import { tokenOf } from './lease-signer.js';
import { Outbox, type PushKind } from './outbox.js';

export const deviceKeyOf = (orgId: string, deviceId: string) => `${orgId}/${deviceId}`;

export class Pusher {
  readonly outbox = new Outbox();
  readonly #sockets = new Map<string, Set<AgentConnection>>();
  readonly #s: CoreServices;
  /** the signing key now (it changes when the lease key is rotated) */
  readonly #signingKey: () => KeyObject;

  constructor(s: CoreServices, key: KeyObject | (() => KeyObject)) {
    this.#s = s;
    this.#signingKey = typeof key === 'function' ? key : () => key;
  }

  get #key(): KeyObject {
    return this.#signingKey();
  }

  /** Every socket that finished its hello, all devices. */
  *everyReady(): Generator<AgentConnection> {
    for (const set of this.#sockets.values()) for (const c of set) if (c.state === 'ready' && c.open) yield c;
  }

  attach(conn: AgentConnection): void {
    const k = conn.deviceKey!;
    let set = this.#sockets.get(k);
    if (!set) this.#sockets.set(k, (set = new Set()));
    set.add(conn);
  }

  detach(conn: AgentConnection): void {
    const k = conn.deviceKey;
    if (!k) return;
    const set = this.#sockets.get(k);
    set?.delete(conn);
    if (set?.size === 0) this.#sockets.delete(k);
  }

  /** Sockets of the device that finished their hello. */
  ready(orgId: string, deviceId: string): AgentConnection[] {
    return [...(this.#sockets.get(deviceKeyOf(orgId, deviceId)) ?? [])].filter((c) => c.state === 'ready' && c.open);
  }

  all(orgId: string, deviceId: string): AgentConnection[] {
    return [...(this.#sockets.get(deviceKeyOf(orgId, deviceId)) ?? [])];
  }

  /**
   * Sends a push to every ready socket of the device and keeps it until acked. Lease pushes to a
   * device with no socket are not kept: the reconcile of its next connection covers them.
   */
  push(
    orgId: string,
    deviceId: string,
    kind: PushKind,
    build: (id: string) => Outgoing<ServerPush> | null,
    meta: { productCode?: string; jti?: string; except?: AgentConnection; only?: AgentConnection } = {},
  ): void {
    const id = this.#s.ids('psh');
    const targets = this.ready(orgId, deviceId).filter((c) => c !== meta.except && (!meta.only || c === meta.only));
    const keep = targets.length > 0 || kind === 'method.switch' || kind === 'inventory.request';
    // Nobody to tell and nothing to keep: do not build it (a lease frame costs a signature).
    if (!keep) return;
    const frame = build(id);
    if (!frame) return;
    const entry = { id, kind, sentAt: this.#s.clock(), rebuild: () => build(id) };
    this.outbox.add(deviceKeyOf(orgId, deviceId), { ...entry, ...(meta.productCode ? { productCode: meta.productCode } : {}), ...(meta.jti ? { jti: meta.jti } : {}) });
    const encoded = new EncodedFrame(frame);
    for (const c of targets) c.send(encoded);
  }

  grant(orgId: string, lease: Lease, except?: AgentConnection): void {
    this.push(
      orgId,
      lease.deviceId,
      'lease.grant',
      (id) => {
        const l = this.#s.store.org(orgId)?.leases[lease.jti];
        return l && isLive(l, this.#s.clock()) ? { type: 'lease.grant', id, token: tokenOf(this.#key, orgId, l) } : null;
      },
      { productCode: lease.productCode, jti: lease.jti, ...(except ? { except } : {}) },
    );
  }

  revoke(orgId: string, lease: Lease, reason: RevokeReason, except?: AgentConnection): void {
    this.push(
      orgId,
      lease.deviceId,
      'lease.revoke',
      (id) => ({ type: 'lease.revoke', id, jti: lease.jti, productCode: lease.productCode, reason }),
      { productCode: lease.productCode, jti: lease.jti, ...(except ? { except } : {}) },
    );
  }

  /**
   * One frame tells the device the line's new method and what that did to its leases (`change`,
   * when the switch changed any). Built when sent: sent again only while the method still holds,
   * and only with the grants still live (a revocation stays true).
   */
  methodSwitch(orgId: string, deviceId: string, lineId: string, productCode: string, method: ActivationMethod, change?: DeviceChange): void {
    const revoke = (change?.revoked ?? []).map((r) => revocationOf(r.lease, r.reason));
    const granted = change?.granted ?? [];
    this.push(orgId, deviceId, 'method.switch', (id) => {
      const doc = this.#s.store.org(orgId);
      const found = doc && findLine(doc, lineId);
      if (!found || found.line.method !== method) return null;
      const now = this.#s.clock();
      const grant: string[] = [];
      for (const g of granted) {
        const l = doc.leases[g.jti];
        if (l && isLive(l, now)) grant.push(tokenOf(this.#key, orgId, l));
      }
      return { type: 'method.switch', id, productCode, method, ...(revoke.length ? { revoke } : {}), ...(grant.length ? { grant } : {}) };
    });
  }

  /** Revocations first, then grants, and the dashboard feed. */
  changes(orgId: string, changes: DeviceChange[], except?: AgentConnection): void {
    for (const ch of changes) this.pushChange(orgId, ch, except);
    this.feed(orgId, changes);
  }

  /** One device's revocations, then its grants (no feed). */
  pushChange(orgId: string, ch: DeviceChange, except?: AgentConnection): void {
    for (const { lease, reason } of ch.revoked) this.revoke(orgId, lease, reason, except);
    for (const lease of ch.granted) this.grant(orgId, lease, except);
  }

  /** Tells the dashboard about grants and revocations. */
  feed(orgId: string, changes: DeviceChange[]): void {
    const doc = this.#s.store.org(orgId);
    const accounts = this.#s.store.global().accounts;
    const now = this.#s.clock();
    for (const ch of changes) {
      const host = doc?.devices[ch.deviceId]?.hostname ?? ch.deviceId;
      for (const { lease, reason } of ch.revoked) {
        this.#feed({ orgId, at: now, kind: 'revoke', text: `${lease.productCode} revoked on ${host} (${reason})`, productCode: lease.productCode, deviceId: ch.deviceId, ...who(lease) });
      }
      for (const lease of ch.granted) {
        const email = accounts[lease.subject]?.email;
        const to = email ? ` to ${email}` : ` (${lease.subject})`;
        this.#feed({ orgId, at: now, kind: 'grant', text: `${lease.productCode} granted on ${host}${to}`, productCode: lease.productCode, deviceId: ch.deviceId, ...who(lease) });
      }
    }
  }

  /** Sends unacked pushes again (rebuilt; dropped when they no longer apply), yielding between slices. */
  async resendDue(afterMs: number, slicer = new Slicer()): Promise<void> {
    const now = this.#s.clock();
    for (const [key, entry] of [...this.outbox.due(now, afterMs)]) {
      await slicer.turn();
      // Acked or replaced while this pass yielded: nothing to send.
      if (!this.outbox.has(key, entry.id)) continue;
      const targets = [...(this.#sockets.get(key) ?? [])].filter((c) => c.state === 'ready' && c.open);
      if (targets.length === 0) continue;
      const frame = entry.rebuild();
      if (!frame) {
        this.outbox.drop(key, entry.id);
        continue;
      }
      entry.sentAt = now;
      const encoded = new EncodedFrame(frame);
      for (const c of targets) c.send(encoded);
    }
  }

  #feed(item: FeedItem): void {
    this.#s.events.emit('feed', item);
  }
}

function who(lease: Lease): { accountId?: string } {
  return lease.subject.startsWith('serial:') ? {} : { accountId: lease.subject };
}

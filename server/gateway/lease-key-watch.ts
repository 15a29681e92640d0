// Keeps a running server's lease keys current: reads the set again when another node (or the
// operator's command) says it changed, and every `refreshMs` in case that word was lost; when a key
// retires, the set agents get shrinks on its own. Each change re-keys the signing pool and sends
// the new set to every connected agent that understands it (protocol 4).
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import type { GatewayCore } from './operations.js';
import { nextRetirement } from './lease-key-ring.js';
import { LEASE_KEYS_TOPIC } from './lease-key.js';

/** Agents of this protocol on get `lease.keys`; older ones verify with the key they pinned. */
export const LEASE_KEYS_PROTOCOL = 4;

export interface LeaseKeyWatch {
  close(): void;
}

/** Sends the set to `conn` when it speaks a protocol that has it. */
export function sendLeaseKeys(g: GatewayCore, conn: { protocol: number; send(f: ReturnType<GatewayCore['key']['frame']>): void }): void {
  if (conn.protocol >= LEASE_KEYS_PROTOCOL) conn.send(g.key.frame(g.s.clock()));
}

export function watchLeaseKeys(g: GatewayCore, refreshMs: number): LeaseKeyWatch {
  const { s, key } = g;
  let closed = false;
  let retireTimer: NodeJS.Timeout | undefined;
  const armRetirement = () => {
    clearTimeout(retireTimer);
    const at = nextRetirement(key.ring, s.clock());
    if (at === undefined || closed) return;
    // setTimeout holds at most ~24.8 days: a longer wait is taken in steps.
    retireTimer = setTimeout(() => (s.clock() >= at ? key.changed() : armRetirement()), Math.min(Math.max(0, at - s.clock()) + 5, 2 ** 31 - 1));
    retireTimer.unref();
  };
  let publishedKids = new Set(key.published(s.clock()).map((k) => k.kid));
  const offChange = key.onChange(() => {
    g.crypto.rekey(key.privateKey);
    armRetirement();
    const now = s.clock();
    const kids = new Set(key.published(now).map((k) => k.kid));
    const retired = [...publishedKids].some((k) => !kids.has(k));
    publishedKids = kids;
    const regranted = new Set<string>();
    for (const c of g.pusher.everyReady()) {
      sendLeaseKeys(g, c);
      // A key retired: the leases agents hold may be signed with it. Each connected device gets
      // its live leases again, signed with the signing key (same jti, a token that verifies).
      if (!retired || c.protocol < LEASE_KEYS_PROTOCOL || regranted.has(c.deviceKey!)) continue;
      regranted.add(c.deviceKey!);
      for (const l of g.indexes.get(c.orgId!)?.liveLeasesOf(c.deviceId!, now) ?? []) g.pusher.grant(c.orgId!, l);
    }
    s.log.info('lease keys changed', { signingKid: key.kid, published: key.published(s.clock()).length, protocol: PROTOCOL_VERSION });
  });
  let busy = false;
  const reload = () => {
    if (busy || closed) return;
    busy = true;
    key
      .reload()
      .catch((e: Error) => s.log.warn('lease keys not read again', { error: e.message }))
      .finally(() => (busy = false));
  };
  const offSignal = s.store.onSignal?.((topic) => topic === LEASE_KEYS_TOPIC && reload());
  const timer = setInterval(reload, refreshMs);
  timer.unref();
  armRetirement();
  return {
    close() {
      closed = true;
      clearInterval(timer);
      clearTimeout(retireTimer);
      offChange();
      offSignal?.();
    },
  };
}

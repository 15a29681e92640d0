// Several nodes: a person typed the code a workstation connected here shows, on another node. That
// node signed them in (the device's record changed, which this node read in); the socket waiting
// here is told who signed in, then the device's whole picture, as activateDeviceCode does locally.
import type { GatewayCore } from './operations.js';
import { accountRef, reconcileBody } from './lease-sync.js';

export async function codesTakenElsewhere(core: GatewayCore, orgId: string, deviceId: string): Promise<void> {
  const { s, pusher } = core;
  for (const { code, accountId } of await core.codes.takenElsewhere(orgId, deviceId)) {
    const conn = pusher.ready(orgId, deviceId).find((c) => c.id === code.connId);
    const ref = accountRef(s.store.global().accounts, accountId);
    if (!conn || !ref) continue;
    conn.send({ type: 'login.done', account: ref });
    pusher.push(
      orgId,
      deviceId,
      'reconcile',
      (id) => {
        const d = s.store.org(orgId);
        return d ? { type: 'reconcile', id, ...reconcileBody(d, s.store.global().accounts, core.key.privateKey, deviceId, s.clock(), null, [], core.indexes.get(orgId)) } : null;
      },
      { only: conn },
    );
  }
}

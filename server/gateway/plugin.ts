// The agent gateway as a server part: built from the core services before the others start (it
// is their Services.gateway), it serves `/agent` once the plugins start and stops with them.
import type { Gateway } from '../core/gateway.js';
import type { Plugin } from '../core/plugin.js';
import type { CoreServices } from '../core/services.js';
import { AgentGateway } from './gateway.js';
import { LEASE_KEYS_TOPIC, loadOrCreateLeaseKey } from './lease-key.js';
import { outcomeOf } from './lease-key-ring.js';
import { watchLeaseKeys } from './lease-key-watch.js';
import { closeOrganizationSockets } from './org-removed.js';
import { activateDeviceCode, applyEntitlementChange, requestRescan, revokeDevice } from './operations.js';
import { closeCodes } from '../../shared/protocol/index.js';

import { AGENT_SOCKET_PATH } from '../../shared/protocol/version.js';

/** Loads (or creates) the lease key and builds the gateway with the configured timings. */
export async function openAgentGateway(s: CoreServices): Promise<AgentGateway> {
  const key = await loadOrCreateLeaseKey(s.config.dataDir, s.store);
  const heartbeatMs = s.config.heartbeatSeconds * 1000;
  const t = s.config.agents ?? {};
  return new AgentGateway(s, key, {
    heartbeatMs,
    helloTimeoutMs: t.helloTimeoutMs ?? 10_000,
    maxBadFramesPerMinute: t.maxBadFramesPerMinute ?? 20,
    resendAfterMs: t.resendAfterMs ?? Math.max(1000, 2 * heartbeatMs),
    maxDeviceCodeFailures: t.maxDeviceCodeFailures ?? 10,
    deviceCodeTtlSeconds: t.deviceCodeTtlSeconds ?? 600,
  });
}

/** What the rest of the server sees of the gateway. */
export function gatewayFacade(g: AgentGateway): Gateway {
  const { s } = g;
  return {
    presence: g.presence,
    // The signing key at the moment of asking: a rotation changes it.
    get leasePublicKeyJwk() {
      return g.key.publicJwk;
    },
    rightsChanged(change) {
      // Observers (the live dashboard) hear of it too; the gateway does the work.
      s.events.emit('entitlements', change);
      applyEntitlementChange(g, change).catch((e: Error) => s.log.error('entitlement sync failed', { orgId: change.orgId, error: e.message }));
    },
    leasesChangedOutside: (orgId) => g.indexes.invalidate(orgId),
    deviceReenrolled(orgId, deviceId) {
      // Its leases were ended outside the gateway's index; its old sockets belong to the previous key.
      g.indexes.invalidate(orgId);
      for (const c of g.pusher.all(orgId, deviceId)) c.close(closeCodes.REPLACED.code, 'device re-enrolled');
    },
    organizationRemoved: (orgId) => closeOrganizationSockets(g, orgId),
    revokeDevice: (orgId, deviceId, actorId) => revokeDevice(g, orgId, deviceId, actorId),
    requestRescan: (orgId, deviceId) => requestRescan(g, orgId, deviceId),
    activateDeviceCode: (account, userCode) => activateDeviceCode(g, account, userCode),
    async rotateLeaseKey(overlapMs) {
      const ring = await g.key.rotate(s.clock(), overlapMs);
      // The other nodes (PostgreSQL) read the set again at once.
      s.store.signal?.(LEASE_KEYS_TOPIC);
      return outcomeOf(ring);
    },
  };
}

/** Serves the agent socket; closing it tells every agent the server is going away. */
export function gatewayPlugin(g: AgentGateway): Plugin {
  return {
    name: 'agent-gateway',
    start(_s, ctx) {
      ctx.onUpgrade(AGENT_SOCKET_PATH, (req, socket, head) => g.handleUpgrade(req, socket, head));
      const keys = watchLeaseKeys(g, g.s.config.agents?.leaseKeyRefreshMs ?? 30_000);
      return {
        close: () => {
          keys.close();
          return g.close();
        },
      };
    },
  };
}

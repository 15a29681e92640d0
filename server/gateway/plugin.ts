// The agent gateway as a server plugin: loads the lease key, serves `/agent`, owns presence.
import { noPresence } from '../core/presence.js';
import type { Plugin } from '../core/plugin.js';
import { AgentGateway } from './gateway.js';
import { loadOrCreateLeaseKey } from './lease-key.js';
import { registerGateway, unregisterGateway } from './registry.js';

export const AGENT_SOCKET_PATH = '/agent';

export const gatewayPlugin: Plugin = {
  name: 'agent-gateway',
  async start(s, ctx) {
    const key = await loadOrCreateLeaseKey(s.config.dataDir);
    const heartbeatMs = s.config.heartbeatSeconds * 1000;
    const t = s.config.agents ?? {};
    const gateway = new AgentGateway(s, key, {
      heartbeatMs,
      helloTimeoutMs: t.helloTimeoutMs ?? 10_000,
      maxBadFramesPerMinute: t.maxBadFramesPerMinute ?? 20,
      resendAfterMs: t.resendAfterMs ?? Math.max(1000, 2 * heartbeatMs),
      maxDeviceCodeFailures: t.maxDeviceCodeFailures ?? 10,
      deviceCodeTtlSeconds: t.deviceCodeTtlSeconds ?? 600,
    });
    s.presence = gateway.presence;
    registerGateway(s, gateway);
    ctx.onUpgrade(AGENT_SOCKET_PATH, (req, socket, head) => gateway.handleUpgrade(req, socket, head));
    return {
      async close() {
        await gateway.close();
        unregisterGateway(s, gateway);
        s.presence = noPresence;
      },
    };
  },
};

// The settings an agent is given at enrollment and in every welcome: its heartbeat, its leases'
// life and when it rescans. Bounded so a misconfigured server cannot make agents spin or hold a
// lease for months.
import type { AgentSettings } from '../../shared/protocol/welcome.js';

export function agentSettings(heartbeatSeconds: number, leaseTtlSeconds: number): AgentSettings {
  return {
    heartbeatSeconds: Math.min(3600, Math.max(5, Math.ceil(heartbeatSeconds))),
    leaseTtlSeconds: Math.min(90 * 24 * 3600, Math.max(60, leaseTtlSeconds)),
    inventoryCron: '*/15 * * * *',
  };
}

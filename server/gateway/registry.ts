// How routes reach the running gateway (device sign-in, revoke, rescan, the lease key) without
// widening Services for everyone: the gateway plugin registers itself here for its Services.
import { SeatkeeperError } from '../../shared/errors.js';
import type { Services } from '../core/services.js';
import type { AgentGateway } from './gateway.js';

const gateways = new WeakMap<Services, AgentGateway>();

export function registerGateway(s: Services, g: AgentGateway): void {
  gateways.set(s, g);
}

export function unregisterGateway(s: Services, g: AgentGateway): void {
  if (gateways.get(s) === g) gateways.delete(s);
}

export function gatewayIfRunning(s: Services): AgentGateway | undefined {
  return gateways.get(s);
}

export function gatewayOf(s: Services): AgentGateway {
  const g = gateways.get(s);
  if (!g) throw new SeatkeeperError('STORAGE_UNAVAILABLE', 'The agent gateway is not running.');
  return g;
}

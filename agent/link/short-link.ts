// The connection `login` and `logout` open of their own beside the daemon's: it does not reconnect
// and reports no inventory hash (so the daemon's socket keeps answering inventory requests).
import type { KeyObject } from 'node:crypto';
import { importLeasePublicJwk } from '../../shared/lease.js';
import type { Clock } from '../clock.js';
import type { AgentLogger } from '../log.js';
import type { AgentConfig } from '../state/config.js';
import type { StatePaths } from '../state/paths.js';
import { dropAllLeases, heldJtis, type ApplyContext } from './apply.js';
import { AgentLink, type LinkOptions } from './connection.js';

export interface ShortLinkOptions {
  paths: StatePaths;
  config: AgentConfig;
  deviceKey: KeyObject;
  socketUrl: string;
  agentVersion: string;
  clock: Clock;
  logger: AgentLogger;
}

/** What applying pushes needs, with the lease key pinned at enrollment. */
export async function shortLinkContext(opts: ShortLinkOptions): Promise<ApplyContext> {
  const { paths, config, clock, logger } = opts;
  return { paths, deviceId: config.deviceId, leaseKey: await importLeasePublicJwk(config.leasePublicKeyJwk), clock, logger };
}

export function shortLink(opts: ShortLinkOptions, handlers: Pick<LinkOptions, 'onWelcome' | 'onFinalClose' | 'onMessage'>): AgentLink {
  return new AgentLink({
    url: opts.socketUrl,
    deviceId: opts.config.deviceId,
    deviceKey: opts.deviceKey,
    agentVersion: opts.agentVersion,
    reconnect: false,
    logger: opts.logger,
    now: () => opts.clock.now(),
    describe: async () => ({ leases: await heldJtis(opts.paths), inventoryHash: null }),
    // `login` on a workstation whose daemon is down may be the first to hear of the revocation.
    onDeviceRevoked: async () => {
      await dropAllLeases({ paths: opts.paths, clock: opts.clock, logger: opts.logger }, 'device-revoked');
    },
    ...handlers,
  });
}

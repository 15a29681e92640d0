// Starts a Seatkeeper server: store, mail, HTTP API and portal, and the plugins (agent gateway,
// live socket, jobs). Used by main.ts, the demo and every test (on port 0).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { withDefaults, type ServerConfig } from './core/config.js';
import { Events } from './core/events.js';
import { lockDataDir, tightenDataDir } from './core/data-dir.js';
import { setOperatorKey, writeOperatorFile } from './ops/operator-file.js';
import { buildHttp } from './http/http-app.js';
import { createRateLimiter } from './core/rate-limit.js';
import type { RouteInfo } from './http/router.js';
import { randomId, type IdSource } from './core/ids.js';
import { createLogger, type Logger } from './core/log.js';
import { createMailer } from './mail/mailer.js';
import type { UpgradeHandler } from './core/plugin.js';
import type { AgentGateway } from './gateway/gateway.js';
import { gatewayFacade, gatewayPlugin, openAgentGateway } from './gateway/plugin.js';
import { jobsPlugin } from './jobs/plugin.js';
import { pushRemoteChanges } from './gateway/remote-changes.js';
import { ClusterPresence } from './gateway/cluster-presence.js';
import { metricsPlugin } from './http/metrics.js';
import { webhooksPlugin } from './http/routes/webhooks.js';
import { livePlugin } from './live/index.js';
import type { CoreServices, Services } from './core/services.js';
import { systemClock, type Clock } from './core/clock.js';
import { createStore, type StorageOptions } from './store/open-store.js';
import type { Store } from './store/store.js';

export interface ServerHandle {
  url: string;
  port: number;
  services: Services;
  /** the gateway's internals, for tests and benchmarks that look inside (outboxes, indexes) */
  agentGateway: AgentGateway;
  routes: RouteInfo[];
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  ids?: IdSource;
  logger?: Logger;
  store?: Store;
  /** which store to open when `store` is not given (default: lowdb in the data directory) */
  storage?: StorageOptions;
}

export async function startServer(partial: Partial<ServerConfig> & { dataDir: string }, opts: StartOptions = {}): Promise<ServerHandle> {
  const config = withDefaults(partial);
  const log = opts.logger ?? createLogger({ level: config.logLevel });
  const clock = opts.clock ?? systemClock;
  const store = opts.store ?? createStore(config.dataDir, opts.storage);
  // One process per data directory; a second server or an offline add-org is refused here.
  const releaseDataDir = await lockDataDir(config.dataDir);
  try {
    await tightenDataDir(config.dataDir);
    await store.open();
  } catch (e) {
    await releaseDataDir();
    throw e;
  }
  let url = config.publicUrl ?? '';
  const core: CoreServices = {
    config,
    store,
    mailer: createMailer(config.mail, log),
    log,
    events: new Events(),
    clock,
    ids: opts.ids ?? randomId,
    signInLimiter: createRateLimiter({ ...config.signInRateLimit, clock }),
    publicUrl: () => url,
  };
  const agentGateway = await openAgentGateway(core);
  // Several nodes: who is online is shared through the database, so every node counts every agent.
  const sharing = store.sharePresence ? new ClusterPresence(agentGateway.presence, store as Store & Required<Pick<Store, 'sharePresence'>>, (id) => agentGateway.indexes.get(id), clock, log, { events: core.events }) : undefined;
  const facade = gatewayFacade(agentGateway);
  const services: Services = { ...core, gateway: sharing ? { ...facade, presence: sharing } : facade };
  // Another node's commits were read in (PostgreSQL): the gateway's indexes read those organizations
  // again, then the agents connected here are told what those commits did to their leases.
  store.onRemoteChange((orgIds, records) => {
    for (const id of orgIds) services.gateway.leasesChangedOutside(id);
    for (const [id, r] of records) pushRemoteChanges(agentGateway, id, r);
  });
  const { app, routes } = buildHttp(services);

  const upgrades = new Map<string, UpgradeHandler>();
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const handler = upgrades.get(path);
    if (!handler) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    try {
      handler(req, socket, head);
    } catch (e) {
      // A throw here would be an uncaught exception in the HTTP server: the whole process would go.
      log.error('websocket upgrade failed', { path, error: (e as Error).message });
      socket.destroy();
    }
  });

  const started: Array<{ name: string; close(): Promise<void> }> = [];
  if (sharing) {
    sharing.start();
    started.push({ name: 'cluster-presence', close: () => sharing.close() });
  }
  for (const p of [gatewayPlugin(agentGateway), livePlugin(), jobsPlugin, metricsPlugin, webhooksPlugin]) {
    const h = await p.start(services, { onUpgrade: (path, handler) => upgrades.set(path, handler) });
    started.push({ name: p.name, close: h.close });
  }

  // A start that fails from here on stops what started and gives the data directory back, so the
  // caller can say why and exit (or, in a test, start again on the same directory).
  const abandon = async (err: unknown): Promise<never> => {
    for (const p of started.reverse()) await p.close().catch(() => undefined);
    await app.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    await releaseDataDir();
    services.mailer.close();
    throw err;
  };
  // The port may be taken (or not ours to bind).
  await app.listen({ port: config.port, host: config.host }).catch(abandon);
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  url = config.publicUrl ?? `http://${host}:${port}`;
  log.info('seatkeeper server listening', { url, dataDir: config.dataDir });
  // `seatkeeper-server orgs …` on this data directory talks to this server instead of refusing.
  const loopbackHost = config.host === '0.0.0.0' || config.host === '::' || config.host === 'localhost' ? '127.0.0.1' : config.host;
  const operator = await writeOperatorFile(config.dataDir, `http://${loopbackHost.includes(':') ? `[${loopbackHost}]` : loopbackHost}:${port}`).catch(abandon);
  setOperatorKey(store, operator.tokenHash);

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    services,
    agentGateway,
    routes,
    close() {
      closing ??= (async () => {
        for (const p of started.reverse()) await p.close().catch((e: Error) => log.warn('plugin close failed', { plugin: p.name, error: e.message }));
        await app.close();
        await operator.remove();
        await store.close();
        await releaseDataDir();
        services.mailer.close();
      })();
      return closing;
    },
  };
}

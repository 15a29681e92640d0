// `run`: the long-lived agent. Keeps the link up, applies what the server pushes, reports the
// inventory (at start, on the cron schedule from settings, and when asked), renews leases at
// half-life, and writes status.json when its connection changes so `status` can tell. Idle, it
// writes nothing, and wakes for the server's heartbeat (the clock watched there) and a tick that
// sleeps until the next renewal falls due.
import type { KeyObject } from 'node:crypto';
import { importLeasePublicJwk, peekLeaseClaims, type LeaseKey } from '../../shared/lease.js';
import { closeCodes } from '../../shared/protocol/error.js';
import type { InventoryItem } from '../../shared/protocol/inventory.js';
import type { ServerToAgent } from '../../shared/protocol/messages.js';
import type { Welcome } from '../../shared/protocol/welcome.js';
import type { Clock } from '../clock.js';
import { loadNodeCron, type NodeCronApi } from './cron.js';
import { takeInventory, type InventorySnapshot } from '../detect/inventory.js';
import { applyGrant, applyLeaseKeys, applyReconcile, applyRevoke, dropAllLeases, heldJtis, type ApplyContext } from '../link/apply.js';
import type { Backoff } from '../link/backoff.js';
import { AgentLink } from '../link/connection.js';
import { realTimers, type Timers } from '../link/timers.js';
import type { AgentLogger } from '../log.js';
import { CLOCK_ROLLBACK_TOLERANCE_MS, raiseHighestSeen } from '../state/clock-guard.js';
import { writeConfig, type AgentConfig } from '../state/config.js';
import { listLeaseProducts, readLeaseFile } from '../state/lease-store.js';
import { writeInventoryFile } from '../state/inventory-file.js';
import { prepareStateDir } from '../state/modes.js';
import type { StatePaths } from '../state/paths.js';
import { recordMethod } from '../state/products-file.js';
import { writeSession } from '../state/session.js';
import { writeDaemonStatus } from '../state/status-file.js';
import { UsageReporter } from './usage-reporter.js';

export interface CronHandle {
  stop(): unknown;
}
/** Schedules `fn` on a cron expression; returns null when the expression does not parse. */
export type CronScheduler = (expression: string, fn: () => void) => CronHandle | null;

const nodeCronScheduler =
  (cron: NodeCronApi): CronScheduler =>
  (expression, fn) =>
    cron.validate(expression) ? cron.schedule(expression, fn, { name: 'inventory', noOverlap: true }) : null;

/**
 * How often an idle daemon records the time it has seen (clock.json, the rollback guard's floor)
 * when nothing else made it write: each record is a disk write, and an idle workstation should
 * see none. A clock set back while the daemon runs is caught sooner, against the monotonic clock.
 */
export const CLOCK_RECORD_IDLE_MS = 60 * 60_000;

/** The longest the daemon's tick sleeps when no renewal falls due sooner. */
export const TICK_MAX_MS = 5 * 60_000;

/** Used when the server's cron expression does not parse: every 30 minutes. */
export const FALLBACK_INVENTORY_CRON = '*/30 * * * *';

export interface DaemonOptions {
  paths: StatePaths;
  config: AgentConfig;
  deviceKey: KeyObject;
  agentVersion: string;
  /** ws(s) URL of the agent socket */
  socketUrl: string;
  /** the agent sockets of the cluster's other nodes, tried in turn when one is lost */
  alsoSocketUrls?: string[];
  clock: Clock;
  logger: AgentLogger;
  /** detects installed products */
  scan: () => Promise<InventoryItem[]>;
  schedule?: CronScheduler;
  timers?: Timers;
  backoff?: Backoff;
  /** how often the `check` answers users left are counted and reported (default 5 minutes) */
  usageEveryMs?: number;
}

export class AgentDaemon {
  #opts: DaemonOptions;
  #config: AgentConfig;
  #timers: Timers;
  #schedule: CronScheduler | null;
  #link: AgentLink | null = null;
  #leaseKey: LeaseKey | null = null;
  #inventory: InventorySnapshot | null = null;
  #sentHash: string | null = null;
  #cron: CronHandle | null = null;
  #cronExpr: string | null = null;
  #renewTimer: unknown = null;
  /** the wall clock as the monotonic clock carries it forward: a clock set back does not move it back */
  #trueNow = 0;
  #trueAtMono = 0;
  /** when clock.json was last raised by this daemon */
  #clockRecordedAt = 0;
  #clockSetBack = false;
  #renewRequested = new Map<string, number>();
  #connected = false;
  #since: number;
  #lastError: string | null = null;
  #closed: Promise<void> | null = null;
  #statusChain: Promise<void> = Promise.resolve();
  #usage: UsageReporter | null = null;

  constructor(opts: DaemonOptions) {
    this.#opts = opts;
    this.#config = opts.config;
    this.#timers = opts.timers ?? realTimers;
    this.#schedule = opts.schedule ?? null;
    this.#since = opts.clock.now();
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** The link gave up for good (a final close, a revoked device): it will not reconnect. */
  get linkClosed(): boolean {
    return this.#link?.state === 'closed';
  }

  async start(): Promise<void> {
    const { paths, logger, clock } = this.#opts;
    this.#leaseKey = await importLeasePublicJwk(this.#config.leasePublicKeyJwk);
    // `check` runs as any user; an install made under a restrictive umask is opened up here.
    await prepareStateDir(paths).catch((e: Error) => logger.warn('daemon: could not set state directory modes', { error: e.message }));
    this.#schedule ??= nodeCronScheduler(await loadNodeCron());
    await this.#recordClock(clock.now());
    await this.#rescan();
    this.#scheduleInventory(this.#config.settings.inventoryCron);
    this.#link = new AgentLink({
      url: this.#opts.socketUrl,
      ...(this.#opts.alsoSocketUrls ? { alsoUrls: this.#opts.alsoSocketUrls } : {}),
      deviceId: this.#config.deviceId,
      deviceKey: this.#opts.deviceKey,
      agentVersion: this.#opts.agentVersion,
      describe: async () => ({ leases: await heldJtis(paths), inventoryHash: this.#inventory?.hash ?? null }),
      onWelcome: (w) => this.#onWelcome(w),
      onMessage: (m) => this.#onMessage(m),
      onConnectedChange: (connected, error) => {
        if (connected !== this.#connected) this.#since = clock.now();
        this.#connected = connected;
        this.#lastError = error;
        void this.#writeStatus();
      },
      onFinalClose: (code, reason) => {
        this.#lastError = `server closed the connection for good (${code}${reason ? `: ${reason}` : ''})`;
        void this.#writeStatus();
      },
      onDeviceRevoked: () => this.#onDeviceRevoked(),
      // Awake anyway: a clock set back is seen within a heartbeat (no disk unless it was).
      onHeartbeat: () => void this.#tickClock(),
      logger,
      timers: this.#timers,
      now: () => clock.now(),
      ...(this.#opts.backoff ? { backoff: this.#opts.backoff } : {}),
    });
    this.#usage = new UsageReporter({ paths, clock, logger, timers: this.#timers, link: this.#link, everyMs: this.#opts.usageEveryMs });
    await this.#usage.start();
    this.#link.start();
    await this.#writeStatus();
    this.#armTick();
    logger.info('daemon: started', { deviceId: this.#config.deviceId, server: this.#config.server });
  }

  /** Stops everything; safe to call twice. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#renewTimer !== null) this.#timers.clearTimeout(this.#renewTimer);
      this.#renewTimer = null;
      await this.#usage?.close();
      await this.#cron?.stop();
      this.#cron = null;
      await this.#link?.close();
      this.#connected = false;
      this.#lastError = 'daemon stopped';
      // The last time seen here: the floor for the clock until the daemon runs again.
      await this.#recordClock(this.#watchClock());
      await this.#writeStatus();
      this.#opts.logger.info('daemon: stopped');
    })();
    return this.#closed;
  }

  #ctx(): ApplyContext {
    if (!this.#leaseKey) throw new Error('daemon not started');
    const { paths, clock, logger } = this.#opts;
    return { paths, deviceId: this.#config.deviceId, leaseKey: this.#leaseKey, clock, logger };
  }

  async #onWelcome(w: Welcome): Promise<void> {
    const { paths, logger } = this.#opts;
    await this.#recordClock(this.#watchClock());
    if (JSON.stringify(w.settings) !== JSON.stringify(this.#config.settings)) {
      this.#config = { ...this.#config, settings: w.settings };
      await writeConfig(paths, this.#config).catch((e: Error) => logger.warn('daemon: could not save settings', { error: e.message }));
      if (w.settings.inventoryCron !== this.#cronExpr) this.#scheduleInventory(w.settings.inventoryCron);
    }
    if (this.#inventory && this.#inventory.hash !== this.#sentHash) this.#sendInventory();
    this.#usage?.report();
    await this.#renewDue().catch((e: Error) => logger.warn('daemon: renewal check failed', { error: e.message }));
  }

  async #onDeviceRevoked(): Promise<void> {
    const { paths, clock, logger } = this.#opts;
    const dropped = await dropAllLeases({ paths, clock, logger }, 'device-revoked');
    this.#lastError = `device revoked (${closeCodes.DEVICE_REVOKED.code}): an administrator revoked this workstation; enroll it again`;
    logger.error('daemon: device revoked; leases dropped, not reconnecting', { products: dropped });
    await this.#writeStatus();
  }

  async #onMessage(msg: Exclude<ServerToAgent, { type: 'challenge' | 'welcome' }>): Promise<void> {
    const { paths, logger, clock } = this.#opts;
    switch (msg.type) {
      case 'reconcile':
        await applyReconcile(this.#ctx(), msg);
        // After a long time offline a reconciled lease may already be past half-life.
        await this.#renewDue();
        return;
      case 'lease.grant': {
        const r = await applyGrant(this.#ctx(), msg.token);
        if (r.result === 'stored') this.#renewRequested.delete(r.productCode);
        return;
      }
      case 'lease.revoke':
        await applyRevoke(this.#ctx(), msg);
        return;
      case 'lease.keys':
        await applyLeaseKeys(this.#ctx(), msg);
        return;
      case 'method.switch':
        await recordMethod(paths, msg.productCode, msg.method, clock.now());
        logger.info('daemon: activation method switched', { productCode: msg.productCode, method: msg.method });
        return;
      case 'inventory.request':
        await this.#rescan();
        this.#sendInventory();
        return;
      case 'login.done':
        await writeSession(paths, msg.account, clock.now());
        return;
      case 'login.code':
      case 'login.failed':
        // Sign-in runs on the `login` command's own connection; nothing for the daemon to do.
        return;
      case 'usage.ack':
        await this.#usage?.acked(msg.ref);
        return;
      case 'error':
        logger.warn('daemon: server reported an error', { code: msg.code, message: msg.message, ref: msg.ref });
        return;
    }
  }

  async #rescan(): Promise<void> {
    const { paths, clock, logger } = this.#opts;
    try {
      const before = this.#inventory?.hash;
      this.#inventory = await takeInventory(this.#opts.scan);
      if (this.#inventory.hash !== before) {
        await writeInventoryFile(paths, { ...this.#inventory, scannedAt: clock.now() }).catch((e: Error) =>
          logger.warn('daemon: could not save inventory.json', { error: e.message }),
        );
      }
    } catch (e) {
      logger.error('daemon: inventory scan failed', { error: (e as Error).message });
    }
  }

  #sendInventory(): void {
    const inv = this.#inventory;
    if (!inv || !this.#link) return;
    if (this.#link.send({ type: 'inventory', items: inv.items, hash: inv.hash })) {
      this.#sentHash = inv.hash;
      this.#opts.logger.info('daemon: inventory sent', { items: inv.items.length, hash: inv.hash });
    }
  }

  #scheduleInventory(expression: string): void {
    void this.#cron?.stop();
    const schedule = this.#schedule;
    if (!schedule) return;
    const job = () => {
      void this.#rescan().then(() => {
        if (this.#inventory?.hash !== this.#sentHash) this.#sendInventory();
      });
    };
    this.#cronExpr = expression;
    this.#cron = schedule(expression, job);
    if (!this.#cron) {
      this.#opts.logger.warn('daemon: invalid inventory cron from server, using fallback', { expression, fallback: FALLBACK_INVENTORY_CRON });
      this.#cron = schedule(FALLBACK_INVENTORY_CRON, job);
    }
  }

  /**
   * Asks for a fresh lease for every held lease past half its life (once per retry interval), and
   * re-arms the tick for the next moment one falls due: an idle daemon sleeps until then.
   */
  async #renewDue(): Promise<void> {
    const link = this.#link;
    const { paths, clock, logger } = this.#opts;
    const now = clock.now();
    let next = Infinity;
    for (const productCode of await listLeaseProducts(paths)) {
      const f = await readLeaseFile(paths, productCode);
      if (f.kind !== 'held') continue;
      const claims = peekLeaseClaims(f.lease.token);
      if (!claims) continue;
      const lifeMs = (claims.exp - claims.iat) * 1000;
      const halfLife = claims.iat * 1000 + lifeMs / 2;
      const retryMs = Math.max(5_000, lifeMs / 10);
      if (now < halfLife) {
        next = Math.min(next, halfLife);
        continue;
      }
      const last = this.#renewRequested.get(productCode);
      if (last !== undefined && now - last < retryMs) {
        next = Math.min(next, last + retryMs);
        continue;
      }
      // Not connected: the welcome looks again.
      if (!link?.ready) continue;
      if (link.send({ type: 'lease.request', productCode })) {
        this.#renewRequested.set(productCode, now);
        next = Math.min(next, now + retryMs);
        logger.info('daemon: renewing lease', { productCode, jti: claims.jti });
      }
    }
    this.#armTick(next - now);
  }

  /**
   * The daemon's one timer: renewals due, and the clock watched. It wakes when the next renewal
   * falls due, and at least every few minutes (a lease another process stored, a clock set back
   * while offline); while connected the clock is also watched at each heartbeat. So an idle
   * workstation's daemon wakes about four times a minute, for the server's pings (issue 16).
   */
  #armTick(dueInMs = Infinity): void {
    if (this.#closed) return;
    if (this.#renewTimer !== null) this.#timers.clearTimeout(this.#renewTimer);
    // Never longer than a tenth of the lease life, so a lease stored behind its back is still renewed near half-life.
    const most = Math.min(TICK_MAX_MS, Math.max(1_000, this.#config.settings.leaseTtlSeconds * 100));
    const every = Math.min(most, Math.max(1_000, dueInMs));
    this.#renewTimer = this.#timers.setTimeout(() => {
      this.#renewTimer = null;
      void this.#renewDue()
        .catch((e: Error) => {
          this.#opts.logger.warn('daemon: renewal check failed', { error: e.message });
          this.#armTick();
        })
        .then(() => this.#tickClock());
    }, every);
  }

  /**
   * The time now as far as this daemon can tell: the wall clock, unless it went back since the
   * last look, in which case the last look carried forward by the monotonic clock.
   */
  #watchClock(): number {
    const wall = this.#opts.clock.now();
    // hrtime, not performance.now(): the global `performance` loads ten perf_hooks modules (issue 16).
    const mono = Number(process.hrtime.bigint() / 1_000_000n);
    const carried = this.#trueAtMono === 0 ? wall : this.#trueNow + (mono - this.#trueAtMono);
    this.#trueNow = Math.max(wall, carried);
    this.#trueAtMono = mono;
    return this.#trueNow;
  }

  /** Never rejects: called from the tick and from each heartbeat, it says what failed and carries on. */
  async #tickClock(): Promise<void> {
    try {
      const wall = this.#opts.clock.now();
      const seen = this.#watchClock();
      // NTP slews and steps by seconds; a minute back is someone setting the clock.
      const setBack = seen - wall > CLOCK_ROLLBACK_TOLERANCE_MS / 5;
      if (setBack && !this.#clockSetBack) this.#opts.logger.warn('daemon: the clock was set back', { byMs: seen - wall });
      if ((setBack && !this.#clockSetBack) || seen - this.#clockRecordedAt >= CLOCK_RECORD_IDLE_MS) await this.#recordClock(seen);
      this.#clockSetBack = setBack;
    } catch (e) {
      this.#opts.logger.warn('daemon: clock check failed', { error: (e as Error).message });
    }
  }

  async #recordClock(now: number): Promise<void> {
    this.#watchClock();
    if (await raiseHighestSeen(this.#opts.paths, now).catch(() => false)) this.#clockRecordedAt = now;
    else this.#clockRecordedAt = Math.max(this.#clockRecordedAt, now);
  }

  /** Status writes are chained so a slow earlier write never lands after a newer one. */
  #writeStatus(): Promise<void> {
    this.#statusChain = this.#statusChain.then(() => this.#writeStatusNow());
    return this.#statusChain;
  }

  async #writeStatusNow(): Promise<void> {
    const { paths, clock, logger } = this.#opts;
    try {
      await writeDaemonStatus(paths, {
        pid: process.pid,
        connected: this.#connected,
        since: this.#since,
        updatedAt: clock.now(),
        server: this.#config.server,
        lastError: this.#lastError,
      });
    } catch (e) {
      logger.warn('daemon: could not write status.json', { error: (e as Error).message });
    }
  }
}

// Server options and their defaults. Only server/main.ts reads flags and environment; everything
// else receives a ServerConfig.
import { join } from 'node:path';
import type { MailConfig } from './mailer.js';

/** How webhook delivery attempts are written to the store: in batches (http/webhook-log.ts). */
export interface DeliveryLogOptions {
  /** how long an attempt may wait before its batch is committed (default 1 000 ms) */
  flushMs: number;
  /** attempts waiting at once: reaching it commits at once; past it (storage down) the oldest go (default 5 000) */
  maxPending: number;
  /** attempts kept per organization in the stored log, newest last (default 500) */
  kept: number;
}

export interface ServerConfig {
  dataDir: string;
  port: number;
  host: string;
  /** URL printed and put into mails and agent settings; defaults to http://host:port */
  publicUrl?: string;
  /** the operator's terms and conditions, linked from the claim page (none by default) */
  termsUrl?: string;
  mail: MailConfig;
  /** default offline lease life; per organization it can be changed */
  leaseTtlSeconds: number;
  heartbeatSeconds: number;
  sessionTtlSeconds: number;
  invitationTtlSeconds: number;
  signInRateLimit: { attempts: number; windowSeconds: number };
  /**
   * scrypt cost of new password hashes (default OWASP's N=2^17, r=8, p=1). Older hashes still
   * verify and are rehashed at this cost on the next sign-in. Tests lower it here.
   */
  passwordCost?: { N: number; r: number; p: number };
  /** what one stranger may cost the server; see Limits */
  limits: Limits;
  /**
   * Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs, e.g. ["10.0.0.5"]).
   * Default none: the client address is the socket's, so a forged header changes nothing.
   */
  trustedProxies: string[];
  logLevel: string;
  /**
   * Bearer token Prometheus scrapes /metrics with (at least 16 characters). Unset: /metrics
   * answers 404, so nothing about the server's load is public by default.
   */
  metricsToken?: string;
  /**
   * webhook deliveries: retry delays (default 10 s, 1 min, 10 min, 1 h), whether private addresses
   * may be targets (default no), and how the delivery log is batched (see server/http/webhook-log.ts)
   */
  webhooks?: { retryDelaysMs?: number[]; allowPrivateTargets?: boolean; log?: Partial<DeliveryLogOptions> };
  /**
   * how long before a scheduled method switch runs the people who would lose access get their
   * reminder mail (default 1 440: a day; they were mailed when it was scheduled too)
   */
  switchReminderMinutes?: number;
  /** serve the portal's static files from here when it exists */
  webDir?: string;
  /** agent gateway and job tuning; the defaults suit production, tests shorten them */
  agents?: AgentTuning;
  /**
   * what is kept of the `check` answers agents report (domain/check-usage.ts): refusal records per
   * organization (default 20 000), days kept (default 90), and refusals of a product in a day that
   * fire `denials.above-threshold` when the organization set none (default 20)
   */
  checkReports?: { maxDenialRecords?: number; retentionDays?: number; denialAlertThreshold?: number };
}

export interface Window {
  attempts: number;
  windowSeconds: number;
}

export interface Limits {
  /** requests per client address to each unauthenticated route (default 60 a minute) */
  publicRoute: Window;
  /** workstation enrollments per client address (default 300 a minute: a fleet behind one NAT rolls out at once) */
  enrollments: Window;
  /** workstations one enrollment token enrolls when the admin does not choose (default 250) */
  enrollmentTokenMaxUses: number;
  /** serial-number tries (link a serial, register with one), per address and per account (default 10 an hour) */
  serialGuesses: Window;
  /**
   * password hashes computed at once, process-wide, in hashing child processes (default 2: one for
   * anyone at the lowest CPU priority (nice 19), one kept for sign-ins from known devices)
   */
  passwordHashConcurrency: number;
  /**
   * password hashes waiting for a slot; beyond it 429 RATE_LIMITED at once (default 16: a few
   * seconds at OWASP cost; sign-ins with a known-device cookie go ahead of the queue)
   */
  passwordHashQueue: number;
  /** of those, waiting for one client address; beyond it 429 at once (default 4: a flood from one address cannot fill the queue) */
  passwordHashQueuePerAddress: number;
  /**
   * failed sign-ins per client address, whatever the email (unknown ones included); beyond it 429 at
   * once, without hashing (default 50 a minute: an office behind one address mistypes too)
   */
  signInFailuresPerAddress: Window;
  /**
   * open TCP connections from one client address, authenticated agent sockets not counted (a
   * whole office behind one NAT keeps its agents connected) (default 256)
   */
  connectionsPerAddress: number;
  /** open TCP connections in all; 0 = the process's file-descriptor limit less 256 for files (default 0) */
  maxConnections: number;
  /** agent sockets from one address that have not said hello yet (default 128) */
  unhelloedSocketsPerAddress: number;
  /** sign-in codes agents may have waiting at once in one organization, across the cluster; beyond it RATE_LIMITED */
  deviceCodesPendingPerOrg: number;
  /** frames an agent socket may send per window before an error frame and a close (default 600 a minute) */
  agentFrames: Window;
  /** Node's http server: whole request headers within (default 10 000 ms) */
  headersTimeoutMs: number;
  /** Node's http server: whole request within (default 30 000 ms) */
  requestTimeoutMs: number;
  /** an idle keep-alive connection is closed after (default 5 000 ms) */
  keepAliveTimeoutMs: number;
  /** a connection with no traffic at all is closed after (default 30 000 ms) */
  idleTimeoutMs: number;
}

export const defaultLimits: Limits = {
  publicRoute: { attempts: 60, windowSeconds: 60 },
  enrollments: { attempts: 300, windowSeconds: 60 },
  enrollmentTokenMaxUses: 250,
  serialGuesses: { attempts: 10, windowSeconds: 3600 },
  passwordHashConcurrency: 2,
  passwordHashQueue: 16,
  passwordHashQueuePerAddress: 4,
  signInFailuresPerAddress: { attempts: 50, windowSeconds: 60 },
  connectionsPerAddress: 256,
  maxConnections: 0,
  unhelloedSocketsPerAddress: 128,
  deviceCodesPendingPerOrg: 200,
  agentFrames: { attempts: 600, windowSeconds: 60 },
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
};

export interface AgentTuning {
  /** a socket that has not proved who it is by then is closed (default 10 000) */
  helloTimeoutMs?: number;
  /** invalid frames a peer may send per minute before it is cut off (default 20) */
  maxBadFramesPerMinute?: number;
  /** unacknowledged pushes are sent again after this long (default 2 heartbeats, at least 1 s) */
  resendAfterMs?: number;
  /** how often scheduled method switches are looked for (default 5 000) */
  switchCheckMs?: number;
  /** wrong device codes per account per minute before RATE_LIMITED (default 10) */
  maxDeviceCodeFailures?: number;
  /** how long a sign-in code shown by an agent stays valid (default 600) */
  deviceCodeTtlSeconds?: number;
  /** how often a node reads the lease key set again, should the word of a rotation be lost (default 30 000) */
  leaseKeyRefreshMs?: number;
}

/**
 * Limits from the environment: SEATKEEPER_LIMITS holds a JSON object of the Limits fields to
 * change (for example {"publicRoute":{"attempts":120,"windowSeconds":60}}); the rest keep defaults.
 */
export function limitsFromEnv(env: NodeJS.ProcessEnv): Limits {
  const raw = env.SEATKEEPER_LIMITS;
  if (!raw) return { ...defaultLimits };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('SEATKEEPER_LIMITS is not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('SEATKEEPER_LIMITS must be a JSON object');
  for (const k of Object.keys(parsed)) if (!(k in defaultLimits)) throw new Error(`SEATKEEPER_LIMITS: unknown limit ${k}`);
  return { ...defaultLimits, ...(parsed as Partial<Limits>) };
}

export type ConfigInput = Partial<Omit<ServerConfig, 'limits'>> & { dataDir: string; limits?: Partial<Limits> };

export function withDefaults(partial: ConfigInput): ServerConfig {
  const cfg: ServerConfig = {
    port: 8080,
    host: '127.0.0.1',
    mail: { kind: 'outbox', dir: join(partial.dataDir, 'outbox') },
    leaseTtlSeconds: 7 * 24 * 3600,
    heartbeatSeconds: 15,
    sessionTtlSeconds: 12 * 3600,
    invitationTtlSeconds: 7 * 24 * 3600,
    signInRateLimit: { attempts: 10, windowSeconds: 60 },
    trustedProxies: [],
    logLevel: 'info',
    ...partial,
    limits: { ...defaultLimits, ...partial.limits },
  };
  if (!Number.isInteger(cfg.port) || cfg.port < 0 || cfg.port > 65535) throw new Error(`config.port: ${cfg.port} is not a port`);
  if (!(cfg.leaseTtlSeconds > 0)) throw new Error('config.leaseTtlSeconds must be positive');
  if (!(cfg.heartbeatSeconds > 0)) throw new Error('config.heartbeatSeconds must be positive');
  for (const [k, v] of Object.entries(cfg.limits)) {
    const ok = typeof v === 'number' ? Number.isInteger(v) && (v > 0 || (k === 'maxConnections' && v === 0)) : v.attempts > 0 && v.windowSeconds > 0;
    if (!ok) throw new Error(`config.limits.${k} must be positive`);
  }
  // Mails, agent settings and enrollment replies are built from it: a bad one must stop the start,
  // not fail every enrollment later.
  if (cfg.publicUrl !== undefined && !(URL.canParse(cfg.publicUrl) && /^https?:$/.test(new URL(cfg.publicUrl).protocol))) {
    throw new Error(`config.publicUrl: ${cfg.publicUrl} is not an http(s) URL`);
  }
  // Shown to people as a link: only a web address, never javascript: or the like.
  if (cfg.termsUrl !== undefined && !(URL.canParse(cfg.termsUrl) && /^https?:$/.test(new URL(cfg.termsUrl).protocol))) {
    throw new Error(`config.termsUrl: ${cfg.termsUrl} is not an http(s) URL`);
  }
  if (cfg.switchReminderMinutes !== undefined && !(cfg.switchReminderMinutes > 0)) throw new Error('config.switchReminderMinutes must be positive');
  // A short token could be guessed by anyone who can reach the port.
  if (cfg.metricsToken !== undefined && cfg.metricsToken.length < 16) throw new Error('config.metricsToken must be at least 16 characters');
  return cfg;
}

// Server options and their defaults. Only server/main.ts reads flags and environment; everything
// else receives a ServerConfig.
import { join } from 'node:path';
import type { MailConfig } from './mailer.js';

export interface ServerConfig {
  dataDir: string;
  port: number;
  host: string;
  /** URL printed and put into mails and agent settings; defaults to http://host:port */
  publicUrl?: string;
  mail: MailConfig;
  /** default offline lease life; per organization it can be changed */
  leaseTtlSeconds: number;
  heartbeatSeconds: number;
  sessionTtlSeconds: number;
  invitationTtlSeconds: number;
  signInRateLimit: { attempts: number; windowSeconds: number };
  logLevel: string;
  /** serve the portal's static files from here when it exists */
  webDir?: string;
  /** agent gateway and job tuning; the defaults suit production, tests shorten them */
  agents?: AgentTuning;
}

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
}

export function withDefaults(partial: Partial<ServerConfig> & { dataDir: string }): ServerConfig {
  const cfg: ServerConfig = {
    port: 8080,
    host: '127.0.0.1',
    mail: { kind: 'outbox', dir: join(partial.dataDir, 'outbox') },
    leaseTtlSeconds: 7 * 24 * 3600,
    heartbeatSeconds: 15,
    sessionTtlSeconds: 12 * 3600,
    invitationTtlSeconds: 7 * 24 * 3600,
    signInRateLimit: { attempts: 10, windowSeconds: 60 },
    logLevel: 'info',
    ...partial,
  };
  if (!Number.isInteger(cfg.port) || cfg.port < 0 || cfg.port > 65535) throw new Error(`config.port: ${cfg.port} is not a port`);
  if (!(cfg.leaseTtlSeconds > 0)) throw new Error('config.leaseTtlSeconds must be positive');
  if (!(cfg.heartbeatSeconds > 0)) throw new Error('config.heartbeatSeconds must be positive');
  // Mails, agent settings and enrollment replies are built from it: a bad one must stop the start,
  // not fail every enrollment later.
  if (cfg.publicUrl !== undefined && !(URL.canParse(cfg.publicUrl) && /^https?:$/.test(new URL(cfg.publicUrl).protocol))) {
    throw new Error(`config.publicUrl: ${cfg.publicUrl} is not an http(s) URL`);
  }
  return cfg;
}

// Helpers the commands share: loading what enrollment left, and the logger each command uses.
import type { KeyObject } from 'node:crypto';
import type { ShortLinkOptions } from '../link/short-link.js';
import { createLogger, type AgentLogger, type ClosableLogger } from '../log.js';
import { agentSocketUrlFor, readConfig, type AgentConfig } from '../state/config.js';
import { loadDeviceKey } from '../state/device-key.js';
import { AGENT_VERSION } from '../version.js';
import { cannotReadConfig, notEnrolled } from './config-messages.js';
import { EXIT_USAGE, type CommandContext } from './types.js';

export interface Enrolled {
  config: AgentConfig;
  deviceKey: KeyObject;
  socketUrl: string;
}

/** Reads config.json; prints "not enrolled" or why it cannot be read and returns exit 2. */
export async function loadConfig(ctx: CommandContext): Promise<AgentConfig | number> {
  let config: AgentConfig | null;
  try {
    config = await readConfig(ctx.paths);
  } catch (e) {
    return cannotReadConfig(ctx, e);
  }
  return config ?? notEnrolled(ctx);
}

/** Reads config and key; prints "not enrolled" and returns the exit code when there are none. */
export async function loadEnrolled(ctx: CommandContext): Promise<Enrolled | number> {
  const config = await loadConfig(ctx);
  if (typeof config === 'number') return config;
  const key = await loadDeviceKey(ctx.paths).catch(() => null);
  if (!key) {
    ctx.io.err(`seatkeeper-agent: device key missing or unreadable (${ctx.paths.deviceKey}); enroll again\n`);
    return EXIT_USAGE;
  }
  return { config, deviceKey: key.privateKey, socketUrl: agentSocketUrlFor(config.server) };
}

/** What `login` and `logout` give the connection they open. */
export function shortLinkOptions(ctx: CommandContext, enrolled: Enrolled, logger: AgentLogger): ShortLinkOptions {
  return { paths: ctx.paths, config: enrolled.config, deviceKey: enrolled.deviceKey, socketUrl: enrolled.socketUrl, agentVersion: AGENT_VERSION, clock: ctx.env.clock, logger };
}

/** A file logger in the state dir; falls back to none when the directory cannot be written. */
export function fileLogger(ctx: CommandContext, opts: { stderr?: boolean } = {}): ClosableLogger {
  try {
    return createLogger({ dir: ctx.paths.logs, level: ctx.env.logLevel, ...(opts.stderr ? { stderr: true } : {}) });
  } catch {
    return createLogger({ level: ctx.env.logLevel, ...(opts.stderr ? { stderr: true } : {}) });
  }
}

export function detectRootFor(ctx: CommandContext, config: AgentConfig | null): string {
  const flag = ctx.values.root;
  return (typeof flag === 'string' ? flag : undefined) ?? ctx.env.detectRoot ?? config?.detectRoot ?? '/';
}

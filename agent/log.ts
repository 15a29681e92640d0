// Logging through winston: a size-rotated file in the state directory (what an admin collects
// from a workstation), optionally mirrored to stderr for the daemon under systemd/launchd.
import path from 'node:path';
import winston from 'winston';

/** The logging surface agent modules take; a winston logger satisfies it, tests pass a recorder. */
export interface AgentLogger {
  debug(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

export interface LoggerOptions {
  /** directory for agent.log; none: no file */
  dir?: string;
  level?: 'error' | 'warn' | 'info' | 'debug';
  /** mirror to stderr (the daemon, so journald/launchd capture it) */
  stderr?: boolean;
  /** per-file size before rotation (default 5 MiB) */
  maxsize?: number;
  /** rotated files kept (default 5) */
  maxFiles?: number;
}

export interface ClosableLogger extends AgentLogger {
  close(): Promise<void>;
}

export function createLogger(opts: LoggerOptions): ClosableLogger {
  const transports: winston.transport[] = [];
  if (opts.dir) {
    transports.push(
      new winston.transports.File({
        filename: path.join(opts.dir, 'agent.log'),
        maxsize: opts.maxsize ?? 5 * 1024 * 1024,
        maxFiles: opts.maxFiles ?? 5,
        // tailable: agent.log is always the newest, so `tail -f` and support bundles find it.
        tailable: true,
      }),
    );
  }
  if (opts.stderr) {
    transports.push(new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] }));
  }
  const logger = winston.createLogger({
    level: opts.level ?? 'info',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports,
    // With no transport winston warns on every call; `silent` keeps `check` and tests quiet.
    silent: transports.length === 0,
    exitOnError: false,
  });
  // A log file we cannot write (read-only state dir for an unprivileged `check`) must not crash the command.
  logger.on('error', () => {});
  for (const t of transports) t.on('error', () => {});
  let closed: Promise<void> | null = null;
  return Object.assign(logger, {
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        if (transports.length === 0) return resolve();
        logger.on('finish', () => resolve());
        logger.end();
        setTimeout(resolve, 2000).unref();
      });
      return closed;
    },
  }) as unknown as ClosableLogger;
}

/** A logger that discards everything. */
export const silentLogger: AgentLogger = { debug() {}, info() {}, warn() {}, error() {} };

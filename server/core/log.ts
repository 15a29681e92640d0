// The server's winston logger. Secrets never reach it: callers log ids, never tokens or passwords.
import winston from 'winston';

export type Logger = winston.Logger;

export function createLogger(opts: { level?: string; silent?: boolean } = {}): Logger {
  return winston.createLogger({
    level: opts.level ?? 'info',
    silent: opts.silent ?? false,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] })],
  });
}

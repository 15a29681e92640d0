// Mail settings from the environment (read only by the entry points).
import { resolve } from 'node:path';
import type { MailConfig } from './mailer.js';

export function mailFromEnv(env: NodeJS.ProcessEnv, dataDir: string): MailConfig {
  if (!env.SEATKEEPER_SMTP_HOST) return { kind: 'outbox', dir: resolve(dataDir, 'outbox'), from: env.SEATKEEPER_MAIL_FROM };
  return {
    kind: 'smtp',
    host: env.SEATKEEPER_SMTP_HOST,
    port: Number(env.SEATKEEPER_SMTP_PORT ?? 25),
    secure: env.SEATKEEPER_SMTP_SECURE === '1',
    user: env.SEATKEEPER_SMTP_USER,
    pass: env.SEATKEEPER_SMTP_PASS,
    from: env.SEATKEEPER_MAIL_FROM,
  };
}

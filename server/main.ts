// seatkeeper-server: the entry point that reads flags and environment.
//   seatkeeper-server [--data DIR | --database URL] [--port N] [--host H] [--public-url URL]
//   seatkeeper-server orgs add|list|remove … [--data DIR]   (add-org: orgs add)
//   seatkeeper-server migrate --database URL
//   seatkeeper-server import --from-data DIR --database URL
//   seatkeeper-server rotate-lease-key [--overlap-hours N] [--data DIR | --database URL]
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { startServer } from './app.js';
import { limitsFromEnv } from './core/config.js';
import { mailFromEnv } from './mail/config-from-env.js';
import { StoreCorruptError } from './store/lowdb-store.js';
import { SchemaMismatchError, migrate } from './store/postgres/migrations.js';
import { createPool } from './store/postgres/sql.js';
import { ImportTargetNotEmptyError, importDataDir } from './store/postgres/import-data.js';
import { lockDataDir } from './core/data-dir.js';
import { orgsCommand } from './ops/orgs-command.js';
import { overlapFrom, rotateLeaseKeyCommand } from './ops/rotate-lease-key.js';
import { webDirDefault } from './http/web-dir.js';
import { portTakenMessage } from './ops/port-taken.js';

const usage = `Usage:
  seatkeeper-server [--data DIR | --database postgres://...] [--port N] [--host HOST] [--public-url URL]
  seatkeeper-server orgs add --file ORG.json [--data DIR | --database URL]   (add-org is the same)
  seatkeeper-server orgs list [--json] [--data DIR | --database URL]
  seatkeeper-server orgs remove ORG_ID --confirm "Org name" [--data DIR | --database URL]
                                             with a server running on DIR these go through it
                                             (DIR/operator.json); without one they work offline.
                                             remove archives: serials released, org unreachable,
                                             its data and audit log kept
  seatkeeper-server migrate --database URL    creates or upgrades the PostgreSQL schema
  seatkeeper-server import --from-data DIR --database URL
                                             copies a data directory into an empty database
                                             (stop the server first) and reads it back to check
  seatkeeper-server rotate-lease-key [--overlap-hours N] [--data DIR | --database URL]
                                             a new lease-signing key; the old ones stay valid
                                             N hours more (default 2184), then retire

Without --database the server keeps its data in DIR (./data); with it, in PostgreSQL (run
migrate first). Mail still goes to DIR/outbox unless SMTP is set.

Environment: SEATKEEPER_DATA, SEATKEEPER_DATABASE_URL, SEATKEEPER_DATABASE_POOL (connections per node,
  default 8), PORT, HOST, SEATKEEPER_PUBLIC_URL, SEATKEEPER_LOG_LEVEL,
  SEATKEEPER_TRUSTED_PROXIES (comma-separated addresses/CIDRs whose X-Forwarded-For is believed),
  SEATKEEPER_LIMITS (JSON object of limits to change, see docs/architecture.md),
  SEATKEEPER_SMTP_HOST, SEATKEEPER_SMTP_PORT, SEATKEEPER_SMTP_USER, SEATKEEPER_SMTP_PASS,
  SEATKEEPER_SMTP_SECURE=1, SEATKEEPER_MAIL_FROM (mail goes to DATA/outbox as .eml files
  unless SEATKEEPER_SMTP_HOST is set), SEATKEEPER_TERMS_URL (the terms and conditions the
  claim page links to), SEATKEEPER_METRICS_TOKEN (bearer token for /metrics, at least 16
  characters; without it /metrics answers 404), SEATKEEPER_SWITCH_REMINDER_MINUTES (how long
  before a scheduled method switch the people losing access are reminded, default 1440).
`;

function fail(msg: string): never {
  process.stderr.write(`${msg}\n\n${usage}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        database: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'public-url': { type: 'string' },
        file: { type: 'string' },
        'from-data': { type: 'string' },
        confirm: { type: 'string' },
        json: { type: 'boolean' },
        'overlap-hours': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const dataDir = resolve(values.data ?? process.env.SEATKEEPER_DATA ?? './data');
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port: ${values.port ?? process.env.PORT} is not a port number`);
  const config = {
    dataDir,
    port,
    host: values.host ?? process.env.HOST ?? '127.0.0.1',
    publicUrl: values['public-url'] ?? process.env.SEATKEEPER_PUBLIC_URL,
    termsUrl: process.env.SEATKEEPER_TERMS_URL || undefined,
    metricsToken: process.env.SEATKEEPER_METRICS_TOKEN || undefined,
    // Not a number: refused by withDefaults, naming the setting.
    switchReminderMinutes: process.env.SEATKEEPER_SWITCH_REMINDER_MINUTES ? Number(process.env.SEATKEEPER_SWITCH_REMINDER_MINUTES) : undefined,
    mail: mailFromEnv(process.env, dataDir),
    logLevel: process.env.SEATKEEPER_LOG_LEVEL ?? 'info',
    webDir: webDirDefault(),
    limits: limitsFromEnv(process.env),
    trustedProxies: (process.env.SEATKEEPER_TRUSTED_PROXIES ?? '').split(',').map((p) => p.trim()).filter(Boolean),
  };
  const databaseUrl = values.database ?? process.env.SEATKEEPER_DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) fail('--database: expected a URL such as postgres://user@host:5432/seatkeeper');
  // Connections each node keeps to PostgreSQL at most (sql.ts holds the default).
  const poolMax = process.env.SEATKEEPER_DATABASE_POOL ? Number(process.env.SEATKEEPER_DATABASE_POOL) : undefined;
  if (poolMax !== undefined && !(Number.isInteger(poolMax) && poolMax >= 3 && poolMax <= 200)) fail('SEATKEEPER_DATABASE_POOL: expected a whole number from 3 to 200');
  // SEATKEEPER_STORE_VERIFY checks every journal line against memory: the test suite sets it for the servers it starts.
  const storage = { commit: { verify: process.env.SEATKEEPER_STORE_VERIFY === '1' }, databaseUrl, ...(poolMax !== undefined ? { pool: { max: poolMax } } : {}) };

  if (positionals[0] === 'migrate') {
    if (!databaseUrl) fail('migrate needs --database URL (or SEATKEEPER_DATABASE_URL)');
    const pool = createPool(databaseUrl, { max: 1 });
    try {
      const r = await migrate(pool);
      process.stdout.write(r.applied.length > 0 ? `Migrated the database from schema version ${r.from} to ${r.to}.\n` : `The database is at schema version ${r.to}: nothing to do.\n`);
    } finally {
      await pool.end();
    }
    return;
  }

  if (positionals[0] === 'import') {
    if (!databaseUrl || !values['from-data']) fail('import needs --from-data DIR and --database URL');
    const from = resolve(values['from-data']);
    if (!existsSync(join(from, 'global.json')) && !existsSync(join(from, 'global.journal.jsonl'))) fail(`--from-data: ${from} holds no Seatkeeper data (no global.json)`);
    // A server still writing the directory would change it under the copy: the lock refuses that.
    const release = await lockDataDir(from);
    const pool = createPool(databaseUrl, { max: 2 });
    try {
      const r = await importDataDir(from, pool);
      process.stdout.write(`Imported ${r.organizations} organizations and ${r.auditEvents} audit events, and read them back: they match.\n`);
    } finally {
      await pool.end();
      await release();
    }
    return;
  }

  if (positionals[0] === 'add-org' || positionals[0] === 'orgs') {
    const [sub, arg] = positionals[0] === 'add-org' ? ['add', undefined] : [positionals[1], positionals[2]];
    if (sub !== 'add' && sub !== 'list' && sub !== 'remove') fail(`orgs: expected add, list or remove, not ${sub ?? 'nothing'}`);
    if (sub === 'add' && !values.file) fail('orgs add needs --file ORG.json');
    if (sub === 'remove' && (!arg || values.confirm === undefined)) fail('orgs remove needs ORG_ID and --confirm "the organization\'s exact name"');
    const code = await orgsCommand(
      { sub, file: values.file, orgId: arg, confirm: values.confirm, json: values.json === true },
      dataDir,
      () => startServer({ ...config, port: 0, logLevel: 'warn' }, { storage }),
    );
    process.exitCode = code;
    return;
  }
  if (positionals[0] === 'rotate-lease-key') {
    let overlapMs = 0;
    try {
      overlapMs = overlapFrom(values['overlap-hours']);
    } catch (e) {
      fail((e as Error).message);
    }
    process.exitCode = await rotateLeaseKeyCommand({ dataDir, databaseUrl, overlapMs });
    return;
  }
  if (positionals.length > 0) fail(`unknown command: ${positionals[0]}`);

  const server = await startServer(config, { storage });
  process.stdout.write(`Seatkeeper is running at ${server.url}\n`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  if (err instanceof StoreCorruptError || err instanceof SchemaMismatchError || err instanceof ImportTargetNotEmptyError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`seatkeeper-server: ${portTakenMessage('seatkeeper-server', err as Error)}\n`);
    process.exit(1);
  }
  process.stderr.write(`seatkeeper-server: ${(err as Error).message}\n`);
  process.exit(1);
});

// A real PostgreSQL for tests: a cluster of Debian's postgresql package (initdb and pg_ctl, run as
// the `postgres` user when the tests run as root, since PostgreSQL refuses to run as root) in a temporary directory on a free port, started
// on first use in a test process and stopped (immediately) when the file's tests end. With
// SEATKEEPER_TEST_DATABASE_URL set, that server is used instead (its user must be able to CREATE
// DATABASE). Each store gets a fresh database, copied from a migrated template.
import { execFile, execFileSync } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';
import pg from 'pg';
import { migrate } from '../../server/store/postgres/migrations.js';
import { createPool } from '../../server/store/postgres/sql.js';

/** Debian's binaries (the newest version installed), or SEATKEEPER_TEST_PG_BIN. */
function pgBin(): string {
  if (process.env.SEATKEEPER_TEST_PG_BIN) return process.env.SEATKEEPER_TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql (or set SEATKEEPER_TEST_DATABASE_URL)');
  return join(root, newest, 'bin');
}
const run = promisify(execFile);

export interface TestCluster {
  /** the server's URL for a database on it */
  url(database: string): string;
  /** where to connect to create and drop databases */
  adminUrl: string;
  /** stops the server (fast shutdown: committed data stays), and starts it again on the same port */
  pause?(): Promise<void>;
  resume?(): Promise<void>;
  stop(): Promise<void>;
}

function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a throwaway cluster; `stop()` kills it (-m immediate) and removes its directory. */
export async function startCluster(): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'sk-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    await chown(dir, uid, gid);
  }
  const bin = pgBin();
  const pgCtl = join(bin, 'pg_ctl');
  const stopSync = () => {
    try {
      const [cmd, args] = asPostgres(pgCtl, ['-D', data, 'stop', '-m', 'immediate', '-w']);
      execFileSync(cmd, args, { stdio: 'ignore' });
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [initCmd, initArgs] = asPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await run(initCmd, initArgs);
    const port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
    const [startCmd, startArgs] = asPostgres(pgCtl, ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '120', '-o', opts, 'start']);
    await run(startCmd, startArgs);
    process.once('exit', stopSync);
    const [pauseCmd, pauseArgs] = asPostgres(pgCtl, ['-D', data, 'stop', '-m', 'fast', '-w']);
    return {
      url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
      adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
      pause: async () => void (await run(pauseCmd, pauseArgs)),
      resume: async () => void (await run(startCmd, startArgs)),
      async stop() {
        process.off('exit', stopSync);
        stopSync();
      },
    };
  } catch (err) {
    stopSync();
    throw err;
  }
}

function externalCluster(base: string): TestCluster {
  return {
    adminUrl: base,
    url(database) {
      const u = new URL(base);
      u.pathname = `/${database}`;
      return u.toString();
    },
    stop: async () => {},
  };
}

let cluster: Promise<TestCluster> | undefined;
const created: string[] = [];
let template: Promise<string> | undefined;

/** The test process's cluster (started on first use). */
export function testCluster(): Promise<TestCluster> {
  const external = process.env.SEATKEEPER_TEST_DATABASE_URL;
  cluster ??= external ? Promise.resolve(externalCluster(external)) : startCluster();
  return cluster;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: (await testCluster()).adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

let n = 0;

/** A new, empty database with Seatkeeper's schema applied; returns its URL. */
export async function testDatabaseUrl(opts: { migrated?: boolean } = {}): Promise<string> {
  const c = await testCluster();
  const name = `sk_t${process.pid}_${++n}`;
  if (opts.migrated === false) {
    await admin((a) => a.query(`CREATE DATABASE ${name}`));
  } else {
    template ??= (async () => {
      const tpl = `sk_tpl${process.pid}`;
      await admin(async (a) => {
        await a.query(`DROP DATABASE IF EXISTS ${tpl}`);
        await a.query(`CREATE DATABASE ${tpl}`);
      });
      const pool = createPool(c.url(tpl), { max: 1 });
      try {
        await migrate(pool);
      } finally {
        await pool.end();
      }
      created.push(tpl);
      return tpl;
    })();
    const tpl = await template;
    await admin((a) => a.query(`CREATE DATABASE ${name} TEMPLATE ${tpl}`));
  }
  created.push(name);
  return c.url(name);
}

/** Stops the cluster this process started (or drops the databases made on an external one). */
export async function stopTestPostgres(): Promise<void> {
  if (!cluster) return;
  const c = await cluster.catch(() => undefined);
  if (process.env.SEATKEEPER_TEST_DATABASE_URL) {
    await admin(async (a) => {
      for (const db of created.reverse()) await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => {});
    }).catch(() => {});
  }
  created.length = 0;
  cluster = undefined;
  template = undefined;
  await c?.stop();
}

/** Registers the cluster's stop at the end of the calling test file. */
export function usePostgres(): void {
  afterAll(stopTestPostgres);
}

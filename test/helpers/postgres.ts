// A real PostgreSQL for tests: a throwaway cluster (scripts/local-postgres.ts), started
// on first use in a test process and stopped (immediately) when the file's tests end. With
// SEATKEEPER_TEST_DATABASE_URL set, that server is used instead (its user must be able to CREATE
// DATABASE). Each store gets a fresh database, copied from a migrated template.
import { afterAll } from 'vitest';
import { startCluster, type LocalCluster } from '../../scripts/local-postgres.js';
import pg from 'pg';
import { migrate } from '../../server/store/postgres/migrations.js';
import { createPool } from '../../server/store/postgres/sql.js';

export type TestCluster = LocalCluster;
export { startCluster };

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

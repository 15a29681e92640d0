// A throwaway PostgreSQL for the cluster benchmark: scripts/local-postgres.ts (the tests' one too), with
// PostgreSQL's durable defaults (fsync and synchronous_commit on), since the embedded store it is
// measured against fsyncs every commit. Stopped, and its directory removed, even when the run fails.
import pg from 'pg';
import { migrate } from '../../server/store/postgres/migrations.js';
import { createPool } from '../../server/store/postgres/sql.js';
import { startCluster } from '../local-postgres.js';

export interface BenchPostgres {
  /** a new, empty database with Seatkeeper's schema applied */
  database(name: string): Promise<string>;
  /** the PostgreSQL settings a note can quote */
  settings: string;
  stop(): void;
}

export async function startBenchPostgres(): Promise<BenchPostgres> {
  // Three nodes of 8 connections each, their listeners and leader locks, and the in-process stores.
  const cluster = await startCluster({ durable: true, maxConnections: 100 });
  let stopped = false;
  // Synchronous, so it can run from an exit or signal handler too.
  const stop = () => {
    if (stopped) return;
    stopped = true;
    cluster.stopSync!();
  };
  return {
    settings: 'max_connections=100, fsync=on, synchronous_commit=on (defaults otherwise)',
    async database(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      const admin = new pg.Client({ connectionString: cluster.adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const pool = createPool(cluster.url(name), { max: 1 });
      try {
        await migrate(pool);
      } finally {
        await pool.end();
      }
      return cluster.url(name);
    },
    stop,
  };
}

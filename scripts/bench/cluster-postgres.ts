// A throwaway PostgreSQL for the cluster benchmark: the essentials of test/helpers/postgres.ts
// (which is test code, tied to vitest) — Debian's initdb and pg_ctl, as the `postgres` user when
// run as root, in a temporary directory, on a free port, listening on 127.0.0.1 only — but with
// PostgreSQL's durable defaults (fsync and synchronous_commit on), since the embedded store it is
// measured against fsyncs every commit. Stopped, and its directory removed, even when the run fails.
import { execFile, execFileSync } from 'node:child_process';
import { chown, mkdtemp } from 'node:fs/promises';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { migrate } from '../../server/store/postgres/migrations.js';
import { createPool } from '../../server/store/postgres/sql.js';

const run = promisify(execFile);

export interface BenchPostgres {
  /** a new, empty database with Seatkeeper's schema applied */
  database(name: string): Promise<string>;
  /** the PostgreSQL settings a note can quote */
  settings: string;
  stop(): void;
}

function pgBin(): string {
  if (process.env.SEATKEEPER_TEST_PG_BIN) return process.env.SEATKEEPER_TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql (the cluster bench starts its own)');
  return join(root, newest, 'bin');
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

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'sk-bench-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    await chown(dir, uid, gid);
  }
  const bin = pgBin();
  let stopped = false;
  // Synchronous, so it can run from an exit or signal handler too.
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    try {
      const [cmd, args] = asPostgres(join(bin, 'pg_ctl'), ['-D', data, 'stop', '-m', 'immediate', '-w']);
      execFileSync(cmd, args, { stdio: 'ignore' });
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  // Three nodes of 8 connections each, their listeners and leader locks, and the in-process stores.
  const settings = 'max_connections=100, fsync=on, synchronous_commit=on (defaults otherwise)';
  try {
    const [initCmd, initArgs] = asPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await run(initCmd, initArgs);
    const port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100`;
    const [startCmd, startArgs] = asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '120', '-o', opts, 'start']);
    await run(startCmd, startArgs);
    const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
    return {
      settings,
      async database(name) {
        if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
        const admin = new pg.Client({ connectionString: url('postgres') });
        await admin.connect();
        try {
          await admin.query(`CREATE DATABASE ${name}`);
        } finally {
          await admin.end();
        }
        const pool = createPool(url(name), { max: 1 });
        try {
          await migrate(pool);
        } finally {
          await pool.end();
        }
        return url(name);
      },
      stop,
    };
  } catch (err) {
    stop();
    throw err;
  }
}

// A throwaway PostgreSQL from Debian's postgresql package: initdb and pg_ctl (as the `postgres`
// user when run as root, since PostgreSQL refuses to run as root) in a temporary directory, on a
// free port, listening on 127.0.0.1 only. The tests' helper and the cluster benchmark both start it.
import { execFile, execFileSync } from 'node:child_process';
import { chown, mkdtemp } from 'node:fs/promises';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Debian's binaries (the newest version installed), or SEATKEEPER_TEST_PG_BIN. */
function pgBin(): string {
  if (process.env.SEATKEEPER_TEST_PG_BIN) return process.env.SEATKEEPER_TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql (tests may set SEATKEEPER_TEST_DATABASE_URL instead)');
  return join(root, newest, 'bin');
}
const run = promisify(execFile);

export interface LocalCluster {
  /** the server's URL for a database on it */
  url(database: string): string;
  /** where to connect to create and drop databases */
  adminUrl: string;
  /** stops the server (fast shutdown: committed data stays), and starts it again on the same port */
  pause?(): Promise<void>;
  resume?(): Promise<void>;
  stop(): Promise<void>;
  /** the same, synchronously (from an exit or signal handler) */
  stopSync?(): void;
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
export async function startCluster(opts: { durable?: boolean; maxConnections?: number } = {}): Promise<LocalCluster> {
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
    // Tests trade durability for speed; the benchmark keeps PostgreSQL's durable defaults.
    const settings = opts.durable ? '' : ' -c fsync=off -c full_page_writes=off';
    const pgOpts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${settings} -c max_connections=${opts.maxConnections ?? 200}`;
    const [startCmd, startArgs] = asPostgres(pgCtl, ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '120', '-o', pgOpts, 'start']);
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
      stopSync() {
        process.off('exit', stopSync);
        stopSync();
      },
    };
  } catch (err) {
    stopSync();
    throw err;
  }
}

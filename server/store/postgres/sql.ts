// The part of node-postgres the store uses, so a test can wrap the pool it hands the store (to
// count commits or make one fail) without touching a real server's code path.
import pg from 'pg';

export interface SqlResult<R> {
  rows: R[];
  rowCount: number | null;
}

export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<SqlResult<R>>;
  /** back to the pool; with an error the connection is closed instead (it may be broken) */
  release(err?: Error | boolean): void;
  /** notifications (LISTEN) and connection errors; absent on wrapped clients */
  on?(event: 'notification', listener: (msg: { channel: string; payload?: string }) => void): unknown;
  on?(event: 'error', listener: (err: Error) => void): unknown;
}

export interface SqlPool {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<SqlResult<R>>;
  connect(): Promise<SqlClient>;
  end(): Promise<void>;
}

export interface PoolOptions {
  /** connections this node keeps open at most */
  max: number;
  /** how long a connection attempt may take before the request answers STORAGE_UNAVAILABLE */
  connectionTimeoutMillis: number;
}

export const poolDefaults: PoolOptions = { max: 8, connectionTimeoutMillis: 5000 };

export function createPool(url: string, options: Partial<PoolOptions> = {}): SqlPool {
  const pool = new pg.Pool({ connectionString: url, ...poolDefaults, ...options });
  // A connection that dies (the database restarted) must not crash the process: its queries fail
  // (and answer 503); an error between queries, with nobody listening, would otherwise be thrown.
  pool.on('error', () => {});
  pool.on('connect', (client) => void client.on('error', () => {}));
  return pool as unknown as SqlPool;
}

export async function inTransaction<T>(client: SqlClient, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const r = await fn();
    await client.query('COMMIT');
    return r;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * Another node committed first (a unique violation, or a document row that moved), or two nodes'
 * transactions locked each other (deadlock, serialization failure): read what is new and retry.
 */
export function isConflict(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === '23505' || code === '40P01' || code === '40001';
}

// Chooses the store a server runs on from its storage options: PostgreSQL when a database URL is
// given, else the embedded lowdb store in the data directory.
import type { Store } from './store.js';
import type { CommitOptions } from './committed-doc.js';
import { createLowdbStore } from './lowdb-store.js';
import { createPostgresStore } from './postgres/postgres-store.js';
import type { PoolOptions } from './postgres/sql.js';

export interface StorageOptions {
  /** the embedded store's commit options (committed-doc.ts holds their defaults) */
  commit?: Partial<CommitOptions>;
  /** postgres://… : run on PostgreSQL instead of the data directory */
  databaseUrl?: string;
  /** the PostgreSQL connection pool (sql.ts holds its defaults) */
  pool?: Partial<PoolOptions>;
}

export function createStore(dataDir: string, options: StorageOptions = {}): Store {
  if (options.databaseUrl) return createPostgresStore(options.databaseUrl, options.pool);
  return createLowdbStore(dataDir, options.commit);
}

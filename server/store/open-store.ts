// Chooses the store a server runs on from its storage options: the embedded lowdb store in the
// data directory unless told otherwise.
import type { Store } from './store.js';
import type { CommitOptions } from './committed-doc.js';
import { createLowdbStore } from './lowdb-store.js';

export interface StorageOptions {
  /** the embedded store's commit options (committed-doc.ts holds their defaults) */
  commit?: Partial<CommitOptions>;
}

export function createStore(dataDir: string, options: StorageOptions = {}): Store {
  return createLowdbStore(dataDir, options.commit);
}

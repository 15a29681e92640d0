// The store interface the server depends on. Mutations are synchronous functions run inside
// `tx`, which resolves only once every document the function touched is durable. Domain code
// validates before it mutates, so a refused request leaves memory untouched.
import type { AuditEvent, GlobalDoc, OrgDoc } from '../domain/model.js';
import type { ChangeFeed } from './change-feed.js';

export interface TxContext {
  /** The global document, marked for writing. */
  global(): GlobalDoc;
  /** An organization's document, marked for writing; undefined when it does not exist. */
  org(orgId: string): OrgDoc | undefined;
  /** Creates an organization document (the id must be new). */
  createOrg(doc: OrgDoc): OrgDoc;
  /** Appends an audit event to the organization's append-only log, committed with the change. */
  audit(event: AuditEvent): void;
}

export interface AuditQuery {
  from?: number;
  to?: number;
  actor?: string;
  target?: string;
  action?: string;
  limit?: number;
}

/** The records another node wrote to one document (collection `k`, record `i`; no `i`: the whole value). */
export type RemoteRecords = ReadonlyArray<{ k: string; i?: string }> | 'whole';

/** A pending device sign-in code as every node sees it (only the code's hash is kept). */
export interface SharedCode {
  hash: string;
  orgId: string;
  deviceId: string;
  /** the node holding the socket that asked, and that socket */
  nodeId: string;
  connId: string;
  /** epoch ms */
  expiresAt: number;
}

/** Device sign-in codes shared by the nodes of a cluster (PostgreSQL). */
export interface SharedDeviceCodes {
  /** Stores a new code; the device's earlier codes go. RATE_LIMITED when the org has `maxPendingPerOrg` pending. */
  issue(code: SharedCode, maxPendingPerOrg: number, now: number): Promise<void>;
  /** The pending (untaken, unexpired) code with this hash. */
  find(hash: string, now: number): Promise<SharedCode | undefined>;
  /** Takes the code for `accountId`; false when it was taken or expired meanwhile. */
  take(hash: string, accountId: string, now: number): Promise<boolean>;
  /** Which of these codes were taken, and by whom. */
  takenBy(hashes: string[]): Promise<Map<string, string>>;
  forget(deviceId: string): Promise<void>;
}

export interface Store {
  open(): Promise<void>;
  close(): Promise<void>;
  /** Read access; never mutate what these return outside `tx`. */
  global(): GlobalDoc;
  org(orgId: string): OrgDoc | undefined;
  orgIds(): string[];
  /** Which records of the organization were written lately (see change-feed.ts). */
  changeFeed(orgId: string): ChangeFeed | undefined;
  tx<T>(fn: (t: TxContext) => T): Promise<T>;
  /**
   * Calls `listener` with the organizations another node changed, once this node has read the
   * changes in (PostgreSQL with several nodes; the embedded store has no other writer), and which
   * records of each changed ('whole': the document was read whole, anything may have changed).
   */
  onRemoteChange(listener: (orgIds: string[], records: ReadonlyMap<string, RemoteRecords>) => void): () => void;
  /** Whether this node runs the cluster's jobs (usage sampler, scheduled switches): one node does. */
  isLeader(): boolean;
  /**
   * A secret every node of the cluster shares (the lease-signing key): the stored value, or
   * `create()`'s when none is stored yet — the first node to store one wins, the others read it.
   * Absent on the embedded store (one node: the secret stays in its data directory).
   */
  clusterSecret?(name: string, create: () => string): Promise<string>;
  /** Changes a shared secret under a lock (`update` gets the stored value, or undefined); answers the new value. */
  updateClusterSecret?(name: string, update: (current: string | undefined) => string): Promise<string>;
  /**
   * Several nodes: wakes the other nodes' `onSignal` listeners with `topic` (a tiny notification,
   * outside any write transaction; may be lost, so listeners also look for themselves now and then).
   */
  signal?(topic: string): void;
  /** Several nodes: device sign-in codes any node can complete. Absent on the embedded store (kept in memory). */
  readonly deviceCodes?: SharedDeviceCodes;
  onSignal?(listener: (topic: string) => void): () => void;
  /**
   * Several nodes: records which devices have a socket on this node (organization → device ids)
   * and answers which have one on the other live nodes. Absent on the embedded store.
   */
  sharePresence?(online: ReadonlyMap<string, readonly string[]>, freshForMs: number): Promise<Map<string, Set<string>>>;
  queryAudit(orgId: string, q: AuditQuery): Promise<AuditEvent[]>;
}

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
   * changes in (PostgreSQL with several nodes; the embedded store has no other writer).
   */
  onRemoteChange(listener: (orgIds: string[]) => void): () => void;
  /** Whether this node runs the cluster's jobs (usage sampler, scheduled switches): one node does. */
  isLeader(): boolean;
  queryAudit(orgId: string, q: AuditQuery): Promise<AuditEvent[]>;
}

// The PostgreSQL schema, as numbered migrations applied in order, each in its own transaction
// (`seatkeeper-server migrate --database URL`). A server only starts on the version it was built
// for: an older database says to migrate, a newer one says to upgrade the server.
//
// Tables (sk_ prefix): sk_docs (one row per document: 'global' or an organization id, with the
// sequence number of its last commit), sk_changes (one change record per commit per document;
// the primary key (doc_id, seq) is what puts commits from several nodes in one order),
// sk_values and sk_records (each document's current state, record by record: the snapshot a node
// loads, kept current in the same transaction as the change record), sk_audit (append-only),
// sk_secrets (what every node must share: the lease-signing key; readable only by whoever reads the database),
// sk_presence (which devices each node holds a socket for, refreshed every few seconds; a dead node's rows expire),
// sk_device_codes (pending sign-in codes, hashed, so any node completes a code another node issued).
// Views for people with ordinary SQL tools: seats, assignments, devices, audit.
import { inTransaction, type SqlClient, type SqlPool } from './sql.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const ms = (expr: string) => `to_timestamp((${expr})::double precision / 1000)`;

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'documents, change records, audit',
    sql: `
      CREATE TABLE sk_docs (
        doc_id text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('global', 'org')),
        seq bigint NOT NULL
      );
      CREATE TABLE sk_changes (
        doc_id text NOT NULL REFERENCES sk_docs (doc_id),
        seq bigint NOT NULL,
        changes json NOT NULL,
        committed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (doc_id, seq)
      );
      CREATE TABLE sk_values (
        doc_id text NOT NULL REFERENCES sk_docs (doc_id),
        k text NOT NULL,
        v json NOT NULL,
        PRIMARY KEY (doc_id, k)
      );
      CREATE TABLE sk_records (
        doc_id text NOT NULL,
        k text NOT NULL,
        i text NOT NULL,
        v json NOT NULL,
        PRIMARY KEY (doc_id, k, i),
        FOREIGN KEY (doc_id, k) REFERENCES sk_values (doc_id, k)
      );
      CREATE TABLE sk_audit (
        n bigserial PRIMARY KEY,
        org_id text NOT NULL REFERENCES sk_docs (doc_id),
        id text NOT NULL,
        at bigint NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        target text NOT NULL,
        event json NOT NULL
      );
      CREATE INDEX sk_audit_org ON sk_audit (org_id, n);
    `,
  },
  {
    version: 2,
    name: 'views: seats, assignments, devices, audit',
    sql: `
      CREATE VIEW assignments AS
        SELECT r.doc_id AS org_id, r.i AS id, r.v->>'lineId' AS line_id, r.v->>'accountId' AS account_id,
               acc.v->>'email' AS email, r.v->>'assignedBy' AS assigned_by, ${ms(`r.v->>'assignedAt'`)} AS assigned_at
        FROM sk_records r
        LEFT JOIN sk_records acc ON acc.doc_id = 'global' AND acc.k = 'accounts' AND acc.i = r.v->>'accountId'
        WHERE r.k = 'assignments' AND r.doc_id <> 'global';
      CREATE VIEW seats AS
        SELECT c.doc_id AS org_id, c.i AS contract_id, c.v->>'number' AS contract_number,
               l->>'id' AS line_id, l->>'productCode' AS product_code, l->>'method' AS method,
               (l->>'seats')::integer AS seats,
               (SELECT count(*) FROM assignments a WHERE a.org_id = c.doc_id AND a.line_id = l->>'id')::integer AS assigned,
               (SELECT count(*) FROM sk_records le WHERE le.doc_id = c.doc_id AND le.k = 'leases'
                  AND le.v->>'lineId' = l->>'id' AND le.v->>'status' = 'active')::integer AS active_leases,
               ${ms(`c.v->>'startsAt'`)} AS starts_at, ${ms(`c.v->>'endsAt'`)} AS ends_at
        FROM sk_records c, json_array_elements(c.v->'lines') AS l
        WHERE c.k = 'contracts' AND c.doc_id <> 'global';
      CREATE VIEW devices AS
        SELECT doc_id AS org_id, i AS id, v->>'hostname' AS hostname, v->'os'->>'platform' AS platform,
               v->'os'->>'distro' AS distro, v->'os'->>'release' AS release, v->'os'->>'arch' AS arch,
               v->>'agentVersion' AS agent_version, v->>'signedInAccountId' AS signed_in_account_id,
               ${ms(`v->>'enrolledAt'`)} AS enrolled_at, ${ms(`v->>'lastSeenAt'`)} AS last_seen_at,
               ${ms(`v->>'revokedAt'`)} AS revoked_at
        FROM sk_records WHERE k = 'devices' AND doc_id <> 'global';
      CREATE VIEW audit AS
        SELECT org_id, id, ${ms('at')} AS at, actor, action, target, event->'before' AS before, event->'after' AS after
        FROM sk_audit;
    `,
  },
  {
    version: 3,
    name: 'secrets every node shares (the lease-signing key)',
    sql: `
      CREATE TABLE sk_secrets (
        name text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 4,
    name: 'devices online per node',
    sql: `
      CREATE TABLE sk_presence (
        node_id text NOT NULL,
        org_id text NOT NULL,
        device_ids json NOT NULL,
        seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (node_id, org_id)
      );
    `,
  },
  {
    version: 5,
    name: 'device sign-in codes every node can complete',
    sql: `
      CREATE TABLE sk_device_codes (
        code_hash text PRIMARY KEY,
        org_id text NOT NULL,
        device_id text NOT NULL,
        node_id text NOT NULL,
        conn_id text NOT NULL,
        expires_at bigint NOT NULL,
        taken_by text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sk_device_codes_org ON sk_device_codes (org_id, expires_at);
      CREATE INDEX sk_device_codes_device ON sk_device_codes (device_id);
    `,
  },
];

export const SCHEMA_VERSION = migrations.at(-1)!.version;

/** The database's schema version: 0 when Seatkeeper's tables are not there yet. */
export async function schemaVersion(db: SqlPool | SqlClient): Promise<number> {
  const exists = await db.query<{ t: string | null }>(`SELECT to_regclass('sk_migrations')::text AS t`);
  if (!exists.rows[0]?.t) return 0;
  const r = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM sk_migrations');
  return Number(r.rows[0]?.v ?? 0);
}

/** Thrown when the database's schema is not the one this server was built for. */
export class SchemaMismatchError extends Error {
  constructor(
    readonly found: number,
    readonly expected: number,
  ) {
    super(
      found < expected
        ? `The database has Seatkeeper schema version ${found}; this server needs version ${expected}. ` +
            'Run `seatkeeper-server migrate --database URL` (with the same database URL), then start the server again.'
        : `The database has Seatkeeper schema version ${found}, newer than this server knows (${expected}). ` +
            'Upgrade this server to the version that migrated the database.',
    );
    this.name = 'SchemaMismatchError';
  }
}

export async function requireCurrentSchema(db: SqlPool): Promise<void> {
  const found = await schemaVersion(db);
  if (found !== SCHEMA_VERSION) throw new SchemaMismatchError(found, SCHEMA_VERSION);
}

/**
 * Applies every migration the database lacks, each in its own transaction. Several nodes may run
 * this at once: an advisory lock taken in each transaction lets one apply and the others see it done.
 */
export async function migrate(pool: SqlPool, list: Migration[] = migrations): Promise<{ from: number; to: number; applied: number[] }> {
  const client = await pool.connect();
  try {
    await inTransaction(client, async () => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS sk_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    });
    const from = await schemaVersion(client);
    const known = list.at(-1)?.version ?? 0;
    if (from > known) throw new SchemaMismatchError(from, known);
    const applied: number[] = [];
    for (const m of list) {
      await inTransaction(client, async () => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        const done = await client.query('SELECT 1 FROM sk_migrations WHERE version = $1', [m.version]);
        if (done.rowCount === 0) {
          await client.query(m.sql);
          await client.query('INSERT INTO sk_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          applied.push(m.version);
        }
      });
    }
    return { from, to: await schemaVersion(client), applied };
  } finally {
    client.release();
  }
}

/** Advisory lock key for migrations ("SKMIGRAT" as a number). */
const MIGRATION_LOCK = 0x534b4d49;

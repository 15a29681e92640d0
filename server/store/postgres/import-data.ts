// Moving an installation: copies a lowdb data directory into an empty PostgreSQL database in one
// transaction (every document as its first change record and rows, every audit event in its
// order, and the lease-signing key its agents pinned), then reads it back through a PostgreSQL
// store and compares, document by document.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../canonical-json.js';
import { createLowdbStore } from '../lowdb-store.js';
import type { AuditEvent } from '../../domain/model.js';
import { insertDoc, wholeDocChanges } from './doc-rows.js';
import { requireCurrentSchema } from './migrations.js';
import { PostgresStore } from './postgres-store.js';
import { inTransaction, type SqlPool } from './sql.js';

export interface ImportResult {
  organizations: number;
  auditEvents: number;
}

/** The database already holds organizations or accounts: import only ever fills an empty one. */
export class ImportTargetNotEmptyError extends Error {
  constructor() {
    super('The database already holds Seatkeeper data; import only copies into an empty database (fresh from `seatkeeper-server migrate`).');
    this.name = 'ImportTargetNotEmptyError';
  }
}

/** The snapshot stamps are the file store's bookkeeping, not the document. */
function stripStamps<T extends object>(doc: T): T {
  const { walSeq: _s, walBatch: _b, ...rest } = doc as T & { walSeq?: number; walBatch?: number };
  return rest as T;
}

export async function importDataDir(dataDir: string, pool: SqlPool): Promise<ImportResult> {
  await requireCurrentSchema(pool);
  const source = createLowdbStore(dataDir);
  await source.open();
  try {
    const global = stripStamps(source.global());
    const orgs = source.orgIds().map((id) => stripStamps(source.org(id)!));
    const audit = new Map<string, AuditEvent[]>();
    for (const o of orgs) audit.set(o.org.id, (await source.queryAudit(o.org.id, { limit: Number.MAX_SAFE_INTEGER })).reverse());
    // Every agent enrolled with this directory's server pinned its key: the cluster signs with it.
    const leaseKey = await readFile(join(dataDir, 'lease-key.json'), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    // Its key set too, when its keys were rotated (lease-key.json stays the first key).
    const leaseKeys = await readFile(join(dataDir, 'lease-keys.json'), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });

    const client = await pool.connect();
    try {
      await inTransaction(client, async () => {
        // Another import or a server starting at the same time waits here, then finds data.
        await client.query('LOCK TABLE sk_docs IN EXCLUSIVE MODE');
        const held = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM sk_docs WHERE kind = 'org' OR (doc_id = 'global' AND seq > 0)`,
        );
        if (Number(held.rows[0]!.n) > 0) throw new ImportTargetNotEmptyError();
        // An empty global document a server wrote when it first opened the database is replaced.
        await client.query(`DELETE FROM sk_records WHERE doc_id = 'global'`);
        await client.query(`DELETE FROM sk_values WHERE doc_id = 'global'`);
        await client.query(`DELETE FROM sk_docs WHERE doc_id = 'global'`);
        for (const [id, kind, doc] of [['global', 'global', global] as const, ...orgs.map((o) => [o.org.id, 'org', o] as const)]) {
          await client.query('INSERT INTO sk_docs (doc_id, kind, seq) VALUES ($1, $2, 1)', [id, kind]);
          await client.query('INSERT INTO sk_changes (doc_id, seq, changes) VALUES ($1, 1, $2::json)', [id, JSON.stringify(wholeDocChanges(doc))]);
          await insertDoc(client, id, doc);
        }
        if (leaseKey !== undefined) {
          // A node that opened the empty database first made a key of its own: this one replaces it
          // (start the nodes after the import, as the README says).
          await client.query(`INSERT INTO sk_secrets (name, value) VALUES ('lease-key', $1) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, [leaseKey.trim()]);
        }
        if (leaseKey !== undefined || leaseKeys !== undefined) {
          // The set that node made from its own key goes too; without a set file it is made again from lease-key.
          await client.query(`DELETE FROM sk_secrets WHERE name = 'lease-keys'`);
          if (leaseKeys !== undefined) await client.query(`INSERT INTO sk_secrets (name, value) VALUES ('lease-keys', $1)`, [leaseKeys]);
        }
        for (const [orgId, events] of audit) {
          for (let from = 0; from < events.length; from += 5000) {
            const part = events.slice(from, from + 5000);
            await client.query(
              `INSERT INTO sk_audit (org_id, id, at, actor, action, target, event)
               SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::json[])`,
              [orgId, part.map((e) => e.id), part.map((e) => e.at), part.map((e) => e.actor), part.map((e) => e.action), part.map((e) => e.target), part.map((e) => JSON.stringify(e))],
            );
          }
        }
      });
      client.release();
    } catch (err) {
      client.release(err instanceof ImportTargetNotEmptyError ? undefined : (err as Error));
      throw err;
    }

    // Read it back as a server would, and compare.
    const check = new PostgresStore(pool, { pollMs: 0, listen: false, lead: false });
    await check.open();
    const differs: string[] = [];
    if (canonicalJson(check.global()) !== canonicalJson(global)) differs.push('the global document');
    let auditEvents = 0;
    for (const o of orgs) {
      const id = o.org.id;
      if (canonicalJson(check.org(id)) !== canonicalJson(o)) differs.push(`organization ${id}`);
      const back = (await check.queryAudit(id, { limit: Number.MAX_SAFE_INTEGER })).reverse();
      if (canonicalJson(back) !== canonicalJson(audit.get(id))) differs.push(`the audit log of ${id}`);
      auditEvents += back.length;
    }
    if (differs.length > 0) throw new Error(`The import does not read back as written: ${differs.join(', ')}. The database was left as imported; drop it before trying again.`);
    return { organizations: orgs.length, auditEvents };
  } finally {
    await source.close();
  }
}

// Device sign-in codes kept in the database (sk_device_codes), so the person may type the code on
// any node, whichever node the workstation's socket is on. Only the code's SHA-256 is stored: a
// reader of the table cannot sign in with it. A code is taken once, by one UPDATE that only a
// pending row matches; the node holding the workstation's socket learns it was taken from the row.
import { SeatkeeperError } from '../../../shared/errors.js';
import type { SharedCode, SharedDeviceCodes } from '../store.js';
import { inTransaction, type SqlPool } from './sql.js';

/** first key of the per-organization advisory lock on sign-in codes ("SKDC") */
const DEVICE_CODES_LOCK = 0x534b4443;

const unavailable = (err: unknown) =>
  new SeatkeeperError('STORAGE_UNAVAILABLE', 'Sign-in codes cannot be reached right now. Try again shortly.', { cause: (err as NodeJS.ErrnoException).code ?? (err as Error).message });

async function q<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SeatkeeperError) throw err;
    throw unavailable(err);
  }
}

export function postgresDeviceCodes(pool: SqlPool): SharedDeviceCodes {
  return {
    issue: (c, maxPendingPerOrg, now) =>
      q(async () => {
        // One transaction, the organization's codes locked for it: two nodes issuing at once would
        // each count the pending codes before the other's insert and pass the cap together. The
        // lock's two-key form keeps it apart from the single-key locks (leader, migrations).
        const client = await pool.connect();
        let inserted: boolean;
        try {
          inserted = await inTransaction(client, async () => {
            await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DEVICE_CODES_LOCK, c.orgId]);
            // Expired and taken rows go as new ones come: the table holds what is pending, and briefly what was taken.
            await client.query('DELETE FROM sk_device_codes WHERE expires_at <= $1 OR device_id = $2', [now, c.deviceId]);
            const r = await client.query(
              `INSERT INTO sk_device_codes (code_hash, org_id, device_id, node_id, conn_id, expires_at)
               SELECT $1, $2, $3, $4, $5, $6
               WHERE (SELECT count(*) FROM sk_device_codes WHERE org_id = $2 AND taken_by IS NULL AND expires_at > $7) < $8
               ON CONFLICT (code_hash) DO NOTHING`,
              [c.hash, c.orgId, c.deviceId, c.nodeId, c.connId, c.expiresAt, now, maxPendingPerOrg],
            );
            return r.rowCount === 1;
          });
        } finally {
          client.release();
        }
        if (!inserted) throw new SeatkeeperError('RATE_LIMITED', 'Too many sign-in codes are waiting in this organization. Try again in a few minutes.', { retryAfter: 60 });
      }),
    find: (hash, now) =>
      q(async () => {
        const r = await pool.query<{ org_id: string; device_id: string; node_id: string; conn_id: string; expires_at: string }>(
          'SELECT org_id, device_id, node_id, conn_id, expires_at FROM sk_device_codes WHERE code_hash = $1 AND taken_by IS NULL AND expires_at > $2',
          [hash, now],
        );
        const row = r.rows[0];
        return row ? ({ hash, orgId: row.org_id, deviceId: row.device_id, nodeId: row.node_id, connId: row.conn_id, expiresAt: Number(row.expires_at) } satisfies SharedCode) : undefined;
      }),
    take: (hash, accountId, now) =>
      q(async () => {
        const r = await pool.query('UPDATE sk_device_codes SET taken_by = $2 WHERE code_hash = $1 AND taken_by IS NULL AND expires_at > $3', [hash, accountId, now]);
        return r.rowCount === 1;
      }),
    takenBy: (hashes) =>
      q(async () => {
        if (hashes.length === 0) return new Map();
        const r = await pool.query<{ code_hash: string; taken_by: string }>('SELECT code_hash, taken_by FROM sk_device_codes WHERE code_hash = ANY($1) AND taken_by IS NOT NULL', [hashes]);
        return new Map(r.rows.map((row) => [row.code_hash, row.taken_by]));
      }),
    forget: (deviceId) => q(async () => void (await pool.query('DELETE FROM sk_device_codes WHERE device_id = $1', [deviceId]))),
  };
}

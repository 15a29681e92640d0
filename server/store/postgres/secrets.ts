// What every node shares (sk_secrets), changed under a row lock: two operators rotating the lease
// keys at once get one rotation after the other, never one lost. Also used by the offline command,
// which talks to the database without opening a store.
import { inTransaction, type SqlClient } from './sql.js';

/** `update(stored or undefined)` written back in one transaction; answers the new value. */
export async function updateSecret(client: SqlClient, name: string, update: (current: string | undefined) => string): Promise<string> {
  return inTransaction(client, async () => {
    // A row that is not there yet cannot be locked: insert-or-nothing first, then lock it.
    await client.query(`INSERT INTO sk_secrets (name, value) VALUES ($1, '') ON CONFLICT (name) DO NOTHING`, [name]);
    const r = await client.query<{ value: string }>('SELECT value FROM sk_secrets WHERE name = $1 FOR UPDATE', [name]);
    const current = r.rows[0]?.value;
    const value = update(current === '' ? undefined : current);
    await client.query('UPDATE sk_secrets SET value = $2 WHERE name = $1', [name, value]);
    return value;
  });
}

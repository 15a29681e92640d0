// What every node shares (sk_secrets), changed under a row lock: two operators rotating the lease
// keys at once get one rotation after the other, never one lost. Also used by the offline command,
// which talks to the database without opening a store.
import { inTransaction, type SqlClient, type SqlPool } from './sql.js';

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

/** The stored value, or `create()` stored first; two callers racing both read the winner's value. */
export async function readOrCreateSecret(pool: SqlPool, name: string, create: () => string): Promise<string> {
  await pool.query('INSERT INTO sk_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, create()]);
  return (await pool.query<{ value: string }>('SELECT value FROM sk_secrets WHERE name = $1', [name])).rows[0]!.value;
}

/** updateSecret on a connection of its own from `pool`. */
export async function updateSecretInPool(pool: SqlPool, name: string, update: (current: string | undefined) => string): Promise<string> {
  const client = await pool.connect();
  try {
    const value = await updateSecret(client, name, update);
    client.release();
    return value;
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
}

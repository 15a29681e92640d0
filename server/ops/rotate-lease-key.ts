// `seatkeeper-server rotate-lease-key [--overlap-hours N]`: a new lease-signing key. The old keys
// stay valid for the overlap (default longer than the longest lease), then retire; agents hold the
// key set and follow. PostgreSQL: straight in the database, under the row's lock, and the running
// nodes are woken to read it. Embedded store: through the server running on the data directory
// (DATA/operator.json), or offline under the directory's lock.
import { lockDataDir } from '../core/data-dir.js';
import { leaseKeyStorage, LEASE_KEYS_TOPIC } from '../gateway/lease-key.js';
import { DEFAULT_OVERLAP_MS, KeyRingError, newPrivateJwk, outcomeOf, rotateRing, type KeyRing, type RotateOutcome } from '../gateway/lease-key-ring.js';
import { requireCurrentSchema } from '../store/postgres/migrations.js';
import { SIGNAL_CHANNEL } from '../store/postgres/postgres-store.js';
import { readOrCreateSecret, updateSecretInPool } from '../store/postgres/secrets.js';
import { createPool } from '../store/postgres/sql.js';
import { callOperator, OperatorRefusal } from './operator-file.js';

export const OPERATOR_ROTATE_PATH = '/api/v1/operator/lease-key/rotate';

export interface RotateArgs {
  dataDir: string;
  databaseUrl?: string;
  overlapMs: number;
  now?: number;
}

/** --overlap-hours as milliseconds (default DEFAULT_OVERLAP_MS); throws on anything but a number of hours from 0. */
export function overlapFrom(hours: string | undefined): number {
  if (hours === undefined) return DEFAULT_OVERLAP_MS;
  const h = Number(hours);
  if (!(hours.trim() !== '' && Number.isFinite(h) && h >= 0 && h <= 24 * 3650)) throw new KeyRingError(`--overlap-hours: expected a number of hours from 0 to 87600, not ${hours}`);
  return Math.round(h * 3600 * 1000);
}

export async function rotateLeaseKey(args: RotateArgs): Promise<RotateOutcome> {
  const now = args.now ?? Date.now();
  const rotate = (r: KeyRing) => rotateRing(r, newPrivateJwk(), now, args.overlapMs);
  if (args.databaseUrl) return outcomeOf(await rotateInDatabase(args.databaseUrl, args.dataDir, rotate));
  const online = await viaServer(args.dataDir, args.overlapMs);
  if (online) return online;
  const release = await lockDataDir(args.dataDir);
  try {
    return outcomeOf(await leaseKeyStorage(args.dataDir).update(rotate));
  } finally {
    await release();
  }
}

async function rotateInDatabase(url: string, dataDir: string, rotate: (r: KeyRing) => KeyRing): Promise<KeyRing> {
  const pool = createPool(url, { max: 1 });
  try {
    await requireCurrentSchema(pool);
    const secrets = {
      clusterSecret: (name: string, create: () => string) => readOrCreateSecret(pool, name, create),
      updateClusterSecret: (name: string, update: (current: string | undefined) => string) => updateSecretInPool(pool, name, update),
    };
    // A cluster no node has started on yet gets its first key as a node would make it, then the rotation.
    const ring = await leaseKeyStorage(dataDir, secrets).update(rotate);
    // Outside the transaction, as every notification: the nodes read the set at once (or at their next refresh).
    await pool.query('SELECT pg_notify($1, $2)', [SIGNAL_CHANNEL, `operator:${LEASE_KEYS_TOPIC}`]);
    return ring;
  } finally {
    await pool.end();
  }
}

/** undefined: no server runs on the data directory. */
async function viaServer(dataDir: string, overlapMs: number): Promise<RotateOutcome | undefined> {
  let body: Partial<RotateOutcome> | undefined;
  try {
    body = await callOperator(dataDir, OPERATOR_ROTATE_PATH, { method: 'POST', body: { overlapMs } });
  } catch (e) {
    throw e instanceof OperatorRefusal ? new KeyRingError(e.message) : e;
  }
  if (!body) return undefined;
  if (typeof body.kid !== 'string') throw new KeyRingError('the server answered without the new key.');
  return { kid: body.kid, retiring: body.retiring ?? [] };
}

/** Runs the command; returns the exit code. */
export async function rotateLeaseKeyCommand(args: RotateArgs): Promise<number> {
  try {
    const r = await rotateLeaseKey(args);
    process.stdout.write(`New lease key ${r.kid} signs from now on.\n`);
    for (const k of r.retiring) process.stdout.write(`Key ${k.kid} stays valid until ${new Date(k.retiresAt).toISOString()}, then retires.\n`);
    return 0;
  } catch (e) {
    if (e instanceof KeyRingError) {
      process.stderr.write(`seatkeeper-server rotate-lease-key: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}


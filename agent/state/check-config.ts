// What `check` needs of config.json (device id and pinned lease key), read synchronously and
// without zod: config.ts's full schema is for the daemon and enrollment.
import type { AgentConfig } from './config.js';
import { readJsonSync } from './atomic-write.js';
import type { StatePaths } from './paths.js';
import { isEd25519PublicJwk, isEntityId, isPlainObject } from './shapes.js';

export type CheckConfig = Pick<AgentConfig, 'deviceId' | 'leasePublicKeyJwk'>;

/** null when not enrolled (no config.json); throws when it cannot be read or lacks what check needs. */
export function readCheckConfigSync(paths: StatePaths): CheckConfig | null {
  const raw = readJsonSync(paths.config);
  if (raw === null) return null;
  if (!isPlainObject(raw) || raw.schema !== 1) throw new Error('not an agent config (schema 1)');
  if (!isEntityId(raw.deviceId)) throw new Error('deviceId: not a device id');
  if (!isEd25519PublicJwk(raw.leasePublicKeyJwk)) throw new Error('leasePublicKeyJwk: not an Ed25519 public key');
  return { deviceId: raw.deviceId, leasePublicKeyJwk: raw.leasePublicKeyJwk };
}

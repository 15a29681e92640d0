// The few shared/protocol shapes `check` reads, as plain predicates: zod costs more to load than
// `check` takes to answer. Tests hold each equal to its zod schema (test/agent/lean-shapes.test.ts).
import type { Ed25519PublicJwk } from '../../shared/lease.js';
import { REVOKE_REASONS as SHARED_REVOKE_REASONS } from '../../shared/protocol/revoke-reasons.js';

const ID = /^[A-Za-z0-9_.:-]+$/;
const PRODUCT = /^[A-Z0-9][A-Z0-9_-]*$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** RevokeReason (shared/protocol/lease.ts): the one list, zod-free */
export const REVOKE_REASONS: readonly string[] = SHARED_REVOKE_REASONS;

/** A JSON object (not an array, not null). */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** zod's .int(): a safe integer. */
export const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

/** EntityId (never a name every object answers to, like `__proto__`: see isObjectMemberName) */
export const isEntityId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 128 && ID.test(v) && !(v in Object.prototype);

/** ProductCode */
export const isProductCode = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 32 && PRODUCT.test(v);

/** LeaseToken */
export const isLeaseToken = (v: unknown): v is string => typeof v === 'string' && v.length >= 16 && v.length <= 4096 && TOKEN.test(v);

/** Exactly these keys (zod's strictObject). */
export const hasExactKeys = (v: Record<string, unknown>, keys: readonly string[]): boolean =>
  Object.keys(v).length === keys.length && keys.every((k) => Object.hasOwn(v, k));

/** Ed25519PublicJwk's test: an OKP Ed25519 key with a 32-byte x. */
export function isEd25519PublicJwk(v: unknown): v is Ed25519PublicJwk {
  if (!isPlainObject(v)) return false;
  const j = v as Record<string, unknown>;
  return j.kty === 'OKP' && j.crv === 'Ed25519' && typeof j.x === 'string' && j.x.length === 43 && B64URL.test(j.x);
}

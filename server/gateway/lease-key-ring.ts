// The lease keys as a set, pure: which key signs, which others stay valid until when, and what a
// rotation makes of the set. lease-key.ts keeps it (data directory or database) and serves it.
import { generateKeyPairSync } from 'node:crypto';
import { Ed25519PrivateJwk } from '../../shared/lease.js';
import { leaseKeyId, type PublishedLeaseKey } from '../../shared/lease-key-id.js';

export interface RingKey {
  kid: string;
  jwk: Ed25519PrivateJwk;
  /** epoch ms */
  createdAt: number;
  /** epoch ms after which the key is retired; null for the signing key */
  retiresAt: number | null;
}

/** Stored as JSON: the signing key is the one with no end (the last one). */
export interface KeyRing {
  schema: 1;
  keys: RingKey[];
}

/**
 * The overlap a rotation leaves by default: longer than the longest lease a server hands out (90
 * days, AgentSettings.leaseTtlSeconds' bound), so every lease signed before the rotation expires,
 * or is renewed with the new key, before its key stops being accepted.
 */
export const DEFAULT_OVERLAP_MS = 91 * 24 * 3600 * 1000;

/** Keys older than this many rotations are dropped from the set, retired or not (agents hold at most 8). */
const MAX_KEYS = 8;

export class KeyRingError extends Error {}

export function newPrivateJwk(): Ed25519PrivateJwk {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return Ed25519PrivateJwk.parse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d });
}

/** A ring of one key, the one the server signed with before keys had ids (agents pinned it). */
export function ringOf(jwk: Ed25519PrivateJwk, createdAt = 0): KeyRing {
  return { schema: 1, keys: [{ kid: leaseKeyId(jwk.x), jwk: strip(jwk), createdAt, retiresAt: null }] };
}

function strip(jwk: Ed25519PrivateJwk): Ed25519PrivateJwk {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d };
}

/** Reads a stored ring; throws KeyRingError naming what is wrong (a damaged ring must not be replaced silently). */
export function parseRing(text: string, where: string): KeyRing {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new KeyRingError(`${where} is not JSON; restore it from a backup (agents trust its keys)`);
  }
  const r = raw as Partial<KeyRing>;
  const bad = () => new KeyRingError(`${where} is not a lease key set; restore it from a backup (agents trust its keys)`);
  if (!r || r.schema !== 1 || !Array.isArray(r.keys) || r.keys.length < 1 || r.keys.length > MAX_KEYS) throw bad();
  const keys: RingKey[] = r.keys.map((k) => {
    const jwk = Ed25519PrivateJwk.safeParse(k?.jwk);
    if (!jwk.success || !Number.isSafeInteger(k.createdAt) || !(k.retiresAt === null || Number.isSafeInteger(k.retiresAt))) throw bad();
    // The id follows from the key: an edited kid cannot make one key pass for another.
    return { kid: leaseKeyId(jwk.data.x), jwk: strip(jwk.data), createdAt: k.createdAt, retiresAt: k.retiresAt };
  });
  if (keys.at(-1)!.retiresAt !== null) throw bad();
  return { schema: 1, keys };
}

export function serializeRing(ring: KeyRing): string {
  return `${JSON.stringify(ring)}\n`;
}

/** The key that signs new leases. */
export function signingKeyOf(ring: KeyRing): RingKey {
  return ring.keys.at(-1)!;
}

/** The keys still valid at `now`: the signing key and those in their overlap. */
export function liveKeys(ring: KeyRing, now: number): RingKey[] {
  return ring.keys.filter((k) => k.retiresAt === null || k.retiresAt > now);
}

/** The earliest retirement still to come, if any (when the published set changes next). */
export function nextRetirement(ring: KeyRing, now: number): number | undefined {
  let next: number | undefined;
  for (const k of ring.keys) if (k.retiresAt !== null && k.retiresAt > now) next = Math.min(next ?? Infinity, k.retiresAt);
  return next;
}

export function published(ring: KeyRing, now: number): PublishedLeaseKey[] {
  return liveKeys(ring, now).map((k) => ({ kid: k.kid, x: k.jwk.x, retiresAt: k.retiresAt }));
}

/**
 * Rotation: `fresh` becomes the signing key; the keys still valid stay valid for `overlapMs` more
 * (one already retiring keeps its earlier end). Retired keys are no longer published, but the
 * newest few are kept to sign the published set: an agent that still trusts one of them (it was
 * away, or the overlap was 0) can then take the set that retires it.
 */
export function rotateRing(ring: KeyRing, fresh: Ed25519PrivateJwk, now: number, overlapMs: number): KeyRing {
  if (!(Number.isSafeInteger(overlapMs) && overlapMs >= 0)) throw new KeyRingError('the overlap must be a whole number of milliseconds, 0 or more');
  const end = now + overlapMs;
  const kept = ring.keys.map((k) => ({ ...k, retiresAt: k.retiresAt === null ? end : Math.min(k.retiresAt, end) }));
  const keys = [...kept, { kid: leaseKeyId(fresh.x), jwk: strip(fresh), createdAt: now, retiresAt: null }].slice(-MAX_KEYS);
  return { schema: 1, keys };
}

export interface RotateOutcome {
  kid: string;
  /** the keys still valid besides the new one, and when each retires (epoch ms) */
  retiring: Array<{ kid: string; retiresAt: number }>;
}

/** What a rotation made, as the operator is told: the new key and the others' ends. */
export function outcomeOf(ring: KeyRing): RotateOutcome {
  const signing = signingKeyOf(ring);
  return { kid: signing.kid, retiring: ring.keys.filter((k) => k !== signing).map((k) => ({ kid: k.kid, retiresAt: k.retiresAt! })) };
}

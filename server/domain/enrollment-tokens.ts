// Whether an enrollment token may enroll one more workstation, and why not.
import type { EnrollmentToken } from './model.js';

export type EnrollmentRefusal = 'revoked' | 'expired' | 'used-up';

export function enrollmentRefusal(t: EnrollmentToken, now: number): EnrollmentRefusal | null {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt <= now) return 'expired';
  // Tokens from before maxUses existed have none: their expiry (at most 90 days) still bounds them.
  if (t.maxUses !== undefined && t.maxUses !== null && t.uses >= t.maxUses) return 'used-up';
  return null;
}

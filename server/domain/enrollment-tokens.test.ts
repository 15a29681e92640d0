import { describe, expect, it } from 'vitest';
import { enrollmentRefusal } from './enrollment-tokens.js';
import type { EnrollmentToken } from './model.js';

const token = (over: Partial<EnrollmentToken> = {}): EnrollmentToken => ({
  id: 'enr1', name: 'rollout', tokenHash: 'h', createdBy: 'acc1', createdAt: 0, expiresAt: 1000, revokedAt: null, uses: 0, maxUses: 2, ...over,
});

describe('enrollment token refusal', () => {
  it('allows a live token under its use count', () => expect(enrollmentRefusal(token({ uses: 1 }), 500)).toBeNull());
  it('refuses a used-up token', () => expect(enrollmentRefusal(token({ uses: 2 }), 500)).toBe('used-up'));
  it('refuses an expired token', () => expect(enrollmentRefusal(token(), 1000)).toBe('expired'));
  it('refuses a revoked token before anything else', () => expect(enrollmentRefusal(token({ revokedAt: 1, uses: 5 }), 2000)).toBe('revoked'));
  it('bounds a token stored before maxUses only by its expiry', () => expect(enrollmentRefusal(token({ maxUses: undefined, uses: 10_000 }), 500)).toBeNull());
});

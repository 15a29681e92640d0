// Enrollment tokens: an admin creates one per rollout; agents trade it for a device identity.
import { z } from 'zod';
import { Name } from './common.js';

export const CreateEnrollmentTokenBody = z.strictObject({
  name: Name,
  /** up to 90 days; a token is for a rollout, not forever */
  expiresInHours: z.number().positive().max(90 * 24),
  /** workstations the token may enroll in all (default: the server's limits.enrollmentTokenMaxUses) */
  maxUses: z.number().int().positive().max(100_000).optional(),
});
export type CreateEnrollmentTokenBody = z.infer<typeof CreateEnrollmentTokenBody>;

export const EnrollmentTokenView = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  revokedAt: z.number().nullable(),
  uses: z.number(),
  maxUses: z.number().nullable(),
  status: z.enum(['active', 'expired', 'used-up', 'revoked']),
});
export type EnrollmentTokenView = z.infer<typeof EnrollmentTokenView>;

/** The create reply: the only time the secret is shown. */
export const CreatedEnrollmentToken = EnrollmentTokenView.extend({
  token: z.string(),
  /** a command line that enrolls a workstation with this token */
  installCommand: z.string(),
});
export type CreatedEnrollmentToken = z.infer<typeof CreatedEnrollmentToken>;

export const EnrollmentTokenList = z.object({ tokens: z.array(EnrollmentTokenView) });
export type EnrollmentTokenList = z.infer<typeof EnrollmentTokenList>;

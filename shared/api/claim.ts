// The first-time claim of an organization ("first moment of truth").
import { z } from 'zod';

export const ClaimInfo = z.object({
  orgId: z.string(),
  orgName: z.string(),
  claimed: z.boolean(),
  canClaim: z.boolean(),
  /** the operator's terms and conditions (server option termsUrl), or null when none is configured */
  termsUrl: z.string().nullable(),
});
export type ClaimInfo = z.infer<typeof ClaimInfo>;

export const ClaimBody = z.strictObject({
  confirmOrgName: z.string().trim().min(1).max(200),
  acceptTerms: z.boolean(),
  responsibleForLicenses: z.boolean(),
});
export type ClaimBody = z.infer<typeof ClaimBody>;

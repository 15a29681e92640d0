// Invitations: an admin (or a team admin, into their team) invites an email with a role, a team
// and products; the invited person previews and accepts with the token from the mail. The token
// travels only in request bodies, never in a path, so it does not end up in access logs.
import { z } from 'zod';
import { Email, Id, Name, ProductCode, Role } from './common.js';

export const CreateInvitationBody = z.strictObject({
  email: Email,
  role: Role,
  /** contract lines to assign on acceptance, as far as seats allow then */
  lineIds: z.array(Id).max(50).optional(),
  teamId: Id.optional(),
  /** send anyway although the address is a near miss of a member, account or alias domain (else 409 NEAR_MISS) */
  confirmNearMiss: z.boolean().optional(),
});
export type CreateInvitationBody = z.infer<typeof CreateInvitationBody>;

export const InvitationView = z.object({
  id: Id,
  email: z.string(),
  role: Role,
  lineIds: z.array(Id),
  teamId: Id.nullable(),
  createdBy: z.string(),
  createdAt: z.number(),
  sentAt: z.number(),
  expiresAt: z.number(),
  expired: z.boolean(),
  /** false when the invitation mail could not be sent: resend it */
  mailSent: z.boolean(),
});
export type InvitationView = z.infer<typeof InvitationView>;

export const InvitationList = z.object({ invitations: z.array(InvitationView) });
export type InvitationList = z.infer<typeof InvitationList>;

const Token = z.string().trim().min(8).max(200);

export const InvitationTokenBody = z.strictObject({ token: Token });
export type InvitationTokenBody = z.infer<typeof InvitationTokenBody>;

export const InvitationPreview = z.object({
  orgName: z.string(),
  email: z.string(),
  role: Role,
  expiresAt: z.number(),
  teamName: z.string().nullable(),
  productCodes: z.array(ProductCode),
  /** whether an account for the invited email exists (then accepting asks for its password) */
  accountExists: z.boolean(),
});
export type InvitationPreview = z.infer<typeof InvitationPreview>;

/**
 * Signed in: the session's account accepts. Otherwise either the invited email's account with its
 * password, another address's account with `email` + `password`, or a new account (name + password).
 */
export const AcceptInvitationBody = z.strictObject({
  token: Token,
  name: Name.optional(),
  email: Email.optional(),
  password: z.string().min(1).max(256).optional(),
  /**
   * Signed in (or proving a password) as another address than the invited one: accept into this
   * account anyway (else 409 INVITED_OTHER_ADDRESS); recorded and shown to the admins.
   */
  acceptIntoThisAccount: z.boolean().optional(),
});
export type AcceptInvitationBody = z.infer<typeof AcceptInvitationBody>;

export const NotAssignedReason = z.enum(['SEAT_LIMIT_REACHED', 'ALREADY_ASSIGNED', 'CONTRACT_NOT_ACTIVE', 'LINE_NOT_ASSIGNABLE', 'NOT_FOUND']);
export type NotAssignedReason = z.infer<typeof NotAssignedReason>;

export const AcceptInvitationReply = z.object({
  orgId: Id,
  orgName: z.string(),
  accountId: Id,
  role: Role,
  teamId: Id.nullable(),
  /** true when this request created the account */
  created: z.boolean(),
  assigned: z.array(z.object({ assignmentId: Id, lineId: Id, productCode: ProductCode })),
  notAssigned: z.array(z.object({ lineId: Id, productCode: ProductCode.nullable(), reason: NotAssignedReason })),
});
export type AcceptInvitationReply = z.infer<typeof AcceptInvitationReply>;

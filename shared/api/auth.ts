// Accounts, sessions and API tokens.
import { z } from 'zod';
import { Email, Id, Name, Password, Role, Serial } from './common.js';

export const RegisterBody = z.strictObject({ email: Email, password: Password, name: Name, serial: Serial.optional() });
export type RegisterBody = z.infer<typeof RegisterBody>;

export const SignInBody = z.strictObject({ email: Email, password: z.string().min(1).max(256) });
export type SignInBody = z.infer<typeof SignInBody>;

const MailLinkToken = z.string().trim().min(8).max(200);

/** The token from the link in the verification mail. */
export const VerifyEmailBody = z.strictObject({ token: MailLinkToken });
export type VerifyEmailBody = z.infer<typeof VerifyEmailBody>;

/** Asking for a reset link: answered alike whether the address has an account or not. */
export const PasswordResetRequestBody = z.strictObject({ email: Email });
export type PasswordResetRequestBody = z.infer<typeof PasswordResetRequestBody>;

export const PasswordResetBody = z.strictObject({ token: MailLinkToken, password: Password });
export type PasswordResetBody = z.infer<typeof PasswordResetBody>;

export const ChangePasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: Password });
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

export const LinkSerialBody = z.strictObject({ serial: Serial });
export type LinkSerialBody = z.infer<typeof LinkSerialBody>;

export const OrgMembershipView = z.object({ orgId: Id, orgName: z.string(), role: Role, claimed: z.boolean() });
export type OrgMembershipView = z.infer<typeof OrgMembershipView>;

export const Me = z.object({
  account: z.object({ id: Id, email: z.string(), name: z.string(), emailVerified: z.boolean().optional() }),
  orgs: z.array(OrgMembershipView),
  /** "no seat for your address; your administrators have been told", per organization where it applies */
  notices: z.array(z.object({ orgId: Id, kind: z.literal('no-seat'), message: z.string() })).optional(),
});
export type Me = z.infer<typeof Me>;

export const CreateApiTokenBody = z.strictObject({
  name: Name,
  /** the token stops working after this many days (none: until revoked) */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateApiTokenBody = z.infer<typeof CreateApiTokenBody>;

export const ApiTokenView = z.object({ id: Id, name: z.string(), createdAt: z.number(), lastUsedAt: z.number().nullable(), expiresAt: z.number().nullable().optional() });
export type ApiTokenView = z.infer<typeof ApiTokenView>;

// Members of an organization: listing and search, one member in detail, roles, removal, and the
// recorded email mismatches admins review.
import { z } from 'zod';
import { Id, ProductCode, Role } from './common.js';

export const MembersQuery = z.strictObject({
  /** substring of the name or email, case-insensitive */
  q: z.string().trim().max(200).optional(),
  role: Role.optional(),
  teamId: Id.optional(),
});
export type MembersQuery = z.infer<typeof MembersQuery>;

export const MemberTeam = z.object({ id: Id, name: z.string(), admin: z.boolean() });
export type MemberTeam = z.infer<typeof MemberTeam>;

export const AssignmentSummary = z.object({ id: Id, lineId: Id, productCode: ProductCode });
export type AssignmentSummary = z.infer<typeof AssignmentSummary>;

export const MemberView = z.object({
  accountId: Id,
  email: z.string(),
  name: z.string(),
  role: Role,
  teams: z.array(MemberTeam),
  assignments: z.array(AssignmentSummary),
  joinedAt: z.number(),
});
export type MemberView = z.infer<typeof MemberView>;

export const MemberList = z.object({ members: z.array(MemberView) });
export type MemberList = z.infer<typeof MemberList>;

export const MemberAssignment = AssignmentSummary.extend({
  contractId: Id,
  contractNumber: z.string(),
  assignedBy: z.string(),
  assignedAt: z.number(),
});
export type MemberAssignment = z.infer<typeof MemberAssignment>;

export const MemberDevice = z.object({
  id: Id,
  hostname: z.string(),
  platform: z.string(),
  agentVersion: z.string(),
  lastSeenAt: z.number().nullable(),
  online: z.boolean(),
});
export type MemberDevice = z.infer<typeof MemberDevice>;

export const MemberDetail = MemberView.extend({
  assignments: z.array(MemberAssignment),
  devices: z.array(MemberDevice),
});
export type MemberDetail = z.infer<typeof MemberDetail>;

export const ChangeRoleBody = z.strictObject({ role: Role });
export type ChangeRoleBody = z.infer<typeof ChangeRoleBody>;

export const ChangeRoleReply = z.object({ accountId: Id, before: Role, role: Role });
export type ChangeRoleReply = z.infer<typeof ChangeRoleReply>;

export const RemoveMemberReply = z.object({
  ok: z.literal(true),
  /** ids of the assignments that ended with the membership */
  endedAssignments: z.array(Id),
  /** ids of the teams the member left */
  leftTeams: z.array(Id),
});
export type RemoveMemberReply = z.infer<typeof RemoveMemberReply>;

export const MismatchView = z.object({
  id: Id,
  at: z.number(),
  attempted: z.string(),
  suggestion: z.string(),
  context: z.enum(['sign-in', 'invite-accept', 'accepted-other-account', 'no-seat']),
  fixed: z.object({ at: z.number(), by: z.string() }).optional(),
});
export type MismatchView = z.infer<typeof MismatchView>;

export const MismatchList = z.object({ mismatches: z.array(MismatchView) });
export type MismatchList = z.infer<typeof MismatchList>;

export const MismatchFixReply = z.object({
  /** the account the seats and invitations now belong to */
  accountId: Id,
  movedAssignments: z.array(Id),
  createdAssignments: z.array(Id),
  invitations: z.array(Id),
});
export type MismatchFixReply = z.infer<typeof MismatchFixReply>;

export const OrgSettingsBody = z.strictObject({
  /** may an invitation be accepted into a signed-in account with another address (default true) */
  acceptIntoOtherAccount: z.boolean(),
});
export type OrgSettingsBody = z.infer<typeof OrgSettingsBody>;

// Teams: groups of members with their own admins, drawing seats from the contracts attached to
// them. Membership of a team attached to a two-tier product's contract is its project membership.
import { z } from 'zod';
import { Id, Name } from './common.js';

export const TeamBody = z.strictObject({ name: Name });
export type TeamBody = z.infer<typeof TeamBody>;

export const TeamMemberView = z.object({ accountId: Id, email: z.string(), name: z.string(), admin: z.boolean() });
export type TeamMemberView = z.infer<typeof TeamMemberView>;

export const TeamView = z.object({
  id: Id,
  name: z.string(),
  members: z.array(TeamMemberView),
  adminIds: z.array(Id),
  contracts: z.array(z.object({ id: Id, number: z.string() })),
  createdAt: z.number(),
});
export type TeamView = z.infer<typeof TeamView>;

export const TeamList = z.object({ teams: z.array(TeamView) });
export type TeamList = z.infer<typeof TeamList>;

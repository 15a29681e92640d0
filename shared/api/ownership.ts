// POST /api/v1/orgs/:orgId/ownership — the owner hands ownership to another member and stays an admin.
import { z } from 'zod';
import { Id } from './common.js';

export const TransferOwnershipBody = z.strictObject({ accountId: Id });
export type TransferOwnershipBody = z.infer<typeof TransferOwnershipBody>;

export const TransferOwnershipReply = z.object({ owner: Id, previousOwner: Id, previousOwnerRole: z.literal('admin') });
export type TransferOwnershipReply = z.infer<typeof TransferOwnershipReply>;

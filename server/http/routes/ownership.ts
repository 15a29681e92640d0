// Ownership transfer: the only way an owner stops being one while the organization stays owned.
import { TransferOwnershipBody, type TransferOwnershipReply } from '../../../shared/api/ownership.js';
import { auditEvent } from '../../domain/audit.js';
import { applyOwnershipTransfer, planOwnershipTransfer } from '../../domain/roles.js';
import type { Router } from '../router.js';

export function registerOwnershipRoutes(r: Router): void {
  r.add({
    method: 'POST',
    url: '/api/v1/orgs/:orgId/ownership',
    access: 'admin',
    body: TransferOwnershipBody,
    summary: 'Transfer ownership to another member (owner only); the previous owner stays an administrator.',
    async handler({ s, org, account, body }): Promise<TransferOwnershipReply> {
      const now = s.clock();
      await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const plan = planOwnershipTransfer(doc, account.id, body.accountId);
        applyOwnershipTransfer(doc, plan);
        const { previousRole } = plan;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'role.change', body.accountId, { role: previousRole }, { role: 'owner', via: 'ownership-transfer' }));
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'role.change', account.id, { role: 'owner' }, { role: 'admin', via: 'ownership-transfer' }));
      });
      s.events.emit('feed', { orgId: org.id, at: now, kind: 'member', text: `${account.email} handed ownership of ${org.doc.org.name} over.`, accountId: account.id });
      return { owner: body.accountId, previousOwner: account.id, previousOwnerRole: 'admin' };
    },
  });
}

// Removing an organization, for the operator: archived, not deleted (the stores keep documents
// forever) — its serials are released from the serial index and it leaves the directory, so nobody
// finds or reaches it again; its document and audit log stay for the record.
import { SeatkeeperError } from '../../shared/errors.js';
import type { Services } from '../core/services.js';
import { auditEvent } from '../domain/audit.js';

/** `confirm` must be the organization's exact name: an id typed wrong does not remove another one. */
export async function removeOrganization(s: Services, orgId: string, confirm: string): Promise<void> {
  await s.store.tx((t) => {
    const doc = t.org(orgId);
    if (!doc || doc.org.removedAt) throw new SeatkeeperError('NOT_FOUND', 'No such organization.');
    if (doc.org.name !== confirm) throw new SeatkeeperError('VALIDATION_FAILED', `confirm must be the organization's name exactly ("${doc.org.name}").`);
    const g = t.global();
    for (const [serial, owner] of Object.entries(g.serials)) if (owner === orgId) delete g.serials[serial];
    delete g.orgs[orgId];
    const now = s.clock();
    doc.org.removedAt = now;
    t.audit(auditEvent(s.ids, now, orgId, 'system', 'org.remove', orgId, { name: doc.org.name }, null));
  });
  // After the commit: its workstations connected now must not keep their sockets until they reconnect.
  s.gateway.organizationRemoved(orgId);
}

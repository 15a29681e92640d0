// The operator's list of organizations: removed ones left out, each with its serials.
import type { OperatorOrgEntry } from '../../shared/api/operator.js';
import type { Services } from '../core/services.js';

export function listOrganizations(s: Pick<Services, 'store'>): OperatorOrgEntry[] {
  const g = s.store.global();
  const serialsOf = new Map<string, string[]>();
  for (const [serial, orgId] of Object.entries(g.serials)) serialsOf.set(orgId, [...(serialsOf.get(orgId) ?? []), serial]);
  const orgs: OperatorOrgEntry[] = [];
  for (const { id } of Object.values(g.orgs)) {
    const doc = s.store.org(id);
    if (!doc || doc.org.removedAt) continue;
    orgs.push({ id, name: doc.org.name, serials: (serialsOf.get(id) ?? []).sort(), claimed: doc.org.claimedBy !== null, members: Object.keys(doc.members).length });
  }
  return orgs.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

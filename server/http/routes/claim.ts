// The "first moment of truth": see the organization a serial linked you to, and claim it.
import { ClaimBody, type ClaimInfo } from '../../../shared/api/claim.js';
import { auditEvent } from '../../domain/audit.js';
import { applyClaim, canClaim, planClaim } from '../../domain/claim.js';
import { requireVerified } from '../../domain/account-mail.js';
import type { Router } from '../router.js';

export function registerClaimRoutes(r: Router): void {
  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/claim',
    access: 'member',
    summary: "The organization's name and whether the caller may claim it.",
    handler: ({ s, org, account }): ClaimInfo => ({
      orgId: org.id,
      orgName: org.doc.org.name,
      claimed: !!org.doc.org.claimedBy,
      canClaim: canClaim(org.doc, account.id),
      termsUrl: s.config.termsUrl ?? null,
    }),
  });

  r.add({
    method: 'POST',
    url: '/api/v1/orgs/:orgId/claim',
    access: 'member',
    body: ClaimBody,
    summary: 'Promote me to administrator: the first linked account to claim becomes the owner.',
    async handler({ s, org, account, body }) {
      const now = s.clock();
      // Anyone can register any address: only a verified one may become an organization's owner.
      requireVerified(account, 'claiming an organization');
      await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        applyClaim(doc, planClaim(doc, account.id, body, now));
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'org.claim', org.id, { claimedBy: null }, { claimedBy: account.id }));
      });
      s.events.emit('feed', { orgId: org.id, at: now, kind: 'member', text: `${account.email} claimed ${org.doc.org.name} and is its administrator.`, accountId: account.id });
      return { ok: true, role: 'owner' };
    },
  });
}

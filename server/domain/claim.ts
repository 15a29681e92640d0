// The first-time claim: a linked account that confirms the organization's name, accepts the
// terms and declares itself responsible becomes its owner. Exactly one claim wins: the check
// and the change happen in one synchronous step inside the store transaction.
import { SeatkeeperError } from '../../shared/errors.js';
import type { ClaimBody } from '../../shared/api/claim.js';
import type { OrgDoc } from './model.js';

export function hasAdmin(doc: OrgDoc): boolean {
  return Object.values(doc.members).some((m) => m.role === 'owner' || m.role === 'admin');
}

export function canClaim(doc: OrgDoc, accountId: string): boolean {
  return !doc.org.claimedBy && !hasAdmin(doc) && !!doc.members[accountId];
}

export interface ClaimPlan {
  accountId: string;
  at: number;
}

/** Every rule of a claim; the name must be typed exactly as shown (case included). */
export function planClaim(doc: OrgDoc, accountId: string, body: ClaimBody, now: number): ClaimPlan {
  if (!doc.members[accountId]) throw new SeatkeeperError('NOT_LINKED', 'Link your account with a serial number of this organization first.');
  if (doc.org.claimedBy || hasAdmin(doc)) {
    throw new SeatkeeperError('ALREADY_CLAIMED', `${doc.org.name} already has an administrator. Ask them to appoint you.`);
  }
  if (body.confirmOrgName.trim() !== doc.org.name.trim()) {
    throw new SeatkeeperError('ORG_NAME_MISMATCH', `Type the organization's name exactly as shown: ${doc.org.name}.`);
  }
  if (!body.acceptTerms) throw new SeatkeeperError('TERMS_NOT_ACCEPTED', 'Accept the terms and conditions to continue.');
  if (!body.responsibleForLicenses) {
    throw new SeatkeeperError('TERMS_NOT_ACCEPTED', "Confirm that you are responsible for your organization's licenses.");
  }
  return { accountId, at: now };
}

export function applyClaim(doc: OrgDoc, plan: ClaimPlan): void {
  doc.org.claimedBy = plan.accountId;
  doc.org.claimedAt = plan.at;
  doc.org.termsAcceptedAt = plan.at;
  doc.members[plan.accountId]!.role = 'owner';
}

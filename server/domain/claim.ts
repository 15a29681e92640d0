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

export function checkClaim(doc: OrgDoc, accountId: string, body: ClaimBody): void {
  if (!doc.members[accountId]) throw new SeatkeeperError('NOT_LINKED', 'Link your account with a serial number of this organization first.');
  if (doc.org.claimedBy || hasAdmin(doc)) {
    throw new SeatkeeperError('ALREADY_CLAIMED', `${doc.org.name} already has an administrator. Ask them to appoint you.`);
  }
  if (body.confirmOrgName.trim().toLowerCase() !== doc.org.name.trim().toLowerCase()) {
    throw new SeatkeeperError('ORG_NAME_MISMATCH', `Type the organization's name exactly as shown: ${doc.org.name}.`);
  }
  if (!body.acceptTerms) throw new SeatkeeperError('TERMS_NOT_ACCEPTED', 'Accept the terms and conditions to continue.');
  if (!body.responsibleForLicenses) {
    throw new SeatkeeperError('TERMS_NOT_ACCEPTED', "Confirm that you are responsible for your organization's licenses.");
  }
}

export function applyClaim(doc: OrgDoc, accountId: string, now: number): void {
  doc.org.claimedBy = accountId;
  doc.org.claimedAt = now;
  doc.org.termsAcceptedAt = now;
  doc.members[accountId]!.role = 'owner';
}

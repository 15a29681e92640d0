// The pairs of addresses an organization's admins are shown: an invitation accepted into an
// account with another address, and a signed-in person without a seat while a near miss of their
// address holds one (with a one-click fix). A bounded list: a script repeating itself must not
// grow the organization's document forever.
import type { EmailMismatch, OrgDoc } from './model.js';

const KEPT = 500;

/** Adds the pair unless the same open pair is listed already. */
export function recordMismatch(doc: OrgDoc, m: EmailMismatch): boolean {
  if (doc.mismatches.some((x) => !x.fixed && x.attempted === m.attempted && x.suggestion === m.suggestion && x.context === m.context)) return false;
  doc.mismatches.push(m);
  if (doc.mismatches.length > KEPT) doc.mismatches.splice(0, doc.mismatches.length - KEPT);
  return true;
}

import { describe, expect, it } from 'vitest';
import { emptyOrgDoc, type Account } from './model.js';
import { assignCandidates, inviteCandidates, requireNearMissConfirmed } from './near-miss.js';

const doc = emptyOrgDoc({ id: 'org_1', name: 'Acme', aliasDomains: ['acme.com', 'acme-eng.com'], salt: 's', claimedBy: null, claimedAt: null, termsAcceptedAt: null, settings: { leaseTtlSeconds: 60 }, createdAt: 0 });
const account = (id: string, email: string): Account => ({ id, email, aliases: [], name: id, passwordHash: 'h', status: 'active', createdAt: 0 });
const accounts = {
  acc_jd: account('acc_jd', 'john.doe@acme.com'),
  acc_tom: account('acc_tom', 'tom.berg@acme.com'),
  acc_out: account('acc_out', 'john.doe@other.org'),
  acc_jd2: account('acc_jd2', 'johndoe@acme.com'),
};
for (const id of ['acc_jd', 'acc_tom', 'acc_jd2']) doc.members[id] = { accountId: id, role: 'member', joinedAt: 0 };

describe('near-miss candidates', () => {
  it('finds members for the same mailbox written otherwise and domain typos; never another person', () => {
    expect(inviteCandidates(doc, accounts, 'john.doe+x@acme.com')).toContain('john.doe@acme.com');
    expect(inviteCandidates(doc, accounts, 'john.doe@acme.co')).toContain('john.doe@acme.com');
    expect(inviteCandidates(doc, accounts, 'tim.berg@acme.com')).toEqual([]);
  });

  it('never names an account of another organization at a foreign domain', () => {
    expect(inviteCandidates(doc, accounts, 'john.doe@other.orgg')).toEqual([]);
  });

  it('asks on assigning to one of two members with near-miss addresses', () => {
    expect(assignCandidates(doc, accounts, 'acc_jd2')).toEqual(['john.doe@acme.com']);
    expect(assignCandidates(doc, accounts, 'acc_tom')).toEqual([]);
  });

  it('throws NEAR_MISS with the candidates unless confirmed', () => {
    expect(() => requireNearMissConfirmed('x@acme.com', ['y@acme.com'], undefined)).toThrow(expect.objectContaining({ code: 'NEAR_MISS', details: { email: 'x@acme.com', candidates: ['y@acme.com'] } }));
    expect(() => requireNearMissConfirmed('x@acme.com', ['y@acme.com'], true)).not.toThrow();
    expect(() => requireNearMissConfirmed('x@acme.com', [], undefined)).not.toThrow();
  });
});

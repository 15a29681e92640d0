import { describe, expect, it } from 'vitest';
import { emptyOrgDoc, type Account, type Invitation } from './model.js';
import { invitedEmailRefusal, nearMissOfMemberRefusal, requireCompletable, requireNewAccount, unknownEmailRefusal } from './invitation-acceptor.js';

const doc = emptyOrgDoc({ id: 'org_1', name: 'Acme', aliasDomains: [], salt: 's', claimedBy: null, claimedAt: null, termsAcceptedAt: null, settings: { leaseTtlSeconds: 60 }, createdAt: 0 });
doc.members.acc_jd = { accountId: 'acc_jd', role: 'member', joinedAt: 0 };
const account = (email: string, over: Partial<Account> = {}): Account => ({ id: 'acc_x', email, aliases: [], name: 'X', passwordHash: 'h', status: 'active', createdAt: 0, ...over });
const accounts = { acc_jd: account('j.doe@acme.test', { id: 'acc_jd' }) };
const inv = { email: 'john.doe@acme.test' } as Invitation;

describe('who may accept an invitation', () => {
  it('lets the owner of the address or an alias accept; a typo is a near miss to record, anyone else is refused', () => {
    expect(invitedEmailRefusal(doc, inv, account('john.doe@acme.test'), 'password')).toBeNull();
    expect(invitedEmailRefusal(doc, inv, account('jd@acme.test', { aliases: ['john.doe@acme.test'] }), 'password')).toBeNull();
    const typo = invitedEmailRefusal(doc, inv, account('johndoe@acme.test'), 'password')!;
    expect([typo.error.code, typo.mismatch]).toEqual(['EMAIL_MISMATCH', { attempted: 'johndoe@acme.test', suggestion: 'john.doe@acme.test' }]);
    const other = invitedEmailRefusal(doc, inv, account('eve@else.test'), 'signed-in')!;
    expect([other.error.code, other.mismatch, other.error.message]).toEqual(['FORBIDDEN', undefined, expect.stringMatching(/signed in as eve@else.test/)]);
  });

  it("says 'did you mean' for an unknown address near the invited one or a member's", () => {
    expect(unknownEmailRefusal(doc, accounts, inv, 'john.dow@acme.test')?.mismatch?.suggestion).toBe('john.doe@acme.test');
    expect(unknownEmailRefusal(doc, accounts, inv, 'nobody@else.test')).toBeNull();
    expect(nearMissOfMemberRefusal(doc, accounts, { email: 'j.doe@acme.tset' } as Invitation)?.mismatch).toEqual({ attempted: 'j.doe@acme.tset', suggestion: 'j.doe@acme.test' });
  });

  it('asks a new account for a name and a password of 8 or more, and never completes a disabled one', () => {
    expect(() => requireCompletable(account('a@acme.test', { status: 'disabled' }), 'a@acme.test')).toThrow(/disabled/);
    expect(() => requireNewAccount(undefined, { password: 'long enough' })).toThrow(/name/);
    expect(() => requireNewAccount(undefined, { name: 'N', password: 'short' })).toThrow(/password/);
    expect(requireNewAccount(account('a@acme.test', { status: 'invited', name: 'Placeholder' }), { password: 'long enough' })).toEqual({ name: 'Placeholder', password: 'long enough' });
  });
});

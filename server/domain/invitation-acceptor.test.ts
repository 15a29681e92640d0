import { describe, expect, it } from 'vitest';
import { emptyOrgDoc, type Account, type Invitation } from './model.js';
import { requireCompletable, requireNewAccount, requireOtherAccountChoice } from './invitation-acceptor.js';

const doc = emptyOrgDoc({ id: 'org_1', name: 'Acme', aliasDomains: [], salt: 's', claimedBy: null, claimedAt: null, termsAcceptedAt: null, settings: { leaseTtlSeconds: 60 }, createdAt: 0 });
doc.members.acc_jd = { accountId: 'acc_jd', role: 'member', joinedAt: 0 };
const account = (email: string, over: Partial<Account> = {}): Account => ({ id: 'acc_x', email, aliases: [], name: 'X', passwordHash: 'h', status: 'active', createdAt: 0, ...over });
const inv = { email: 'john.doe@acme.test' } as Invitation;

describe('who may accept an invitation', () => {
  it('lets the owner of the address or an alias accept whatever it resembles; another address gets the choice', () => {
    expect(() => requireOtherAccountChoice(doc, inv, account('john.doe@acme.test'), undefined)).not.toThrow();
    expect(() => requireOtherAccountChoice(doc, inv, account('jd@acme.test', { aliases: ['john.doe@acme.test'] }), undefined)).not.toThrow();
    expect(() => requireOtherAccountChoice(doc, inv, account('lee.k@acme.test'), undefined)).toThrow(expect.objectContaining({ code: 'INVITED_OTHER_ADDRESS' }));
    expect(() => requireOtherAccountChoice(doc, inv, account('lee.k@acme.test'), true)).not.toThrow();
  });

  it('refuses accepting into another account when the organization turned it off', () => {
    const strict = { ...doc, org: { ...doc.org, settings: { leaseTtlSeconds: 60, acceptIntoOtherAccount: false } } };
    expect(() => requireOtherAccountChoice(strict, inv, account('lee.k@acme.test'), true)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => requireOtherAccountChoice(strict, inv, account('john.doe@acme.test'), undefined)).not.toThrow();
  });

  it('asks a new account for a name and a password of 8 or more, and never completes a disabled one', () => {
    expect(() => requireCompletable(account('a@acme.test', { status: 'disabled' }), 'a@acme.test')).toThrow(/disabled/);
    expect(() => requireNewAccount(undefined, { password: 'long enough' })).toThrow(/name/);
    expect(() => requireNewAccount(undefined, { name: 'N', password: 'short' })).toThrow(/password/);
    expect(requireNewAccount(account('a@acme.test', { status: 'invited', name: 'Placeholder' }), { password: 'long enough' })).toEqual({ name: 'Placeholder', password: 'long enough' });
  });
});

import { describe, expect, it } from 'vitest';
import { aliasDomainCandidates, editDistance, findNearMiss, isNearMiss, memberEmails, typoDistance } from './email-match.js';

describe('email near-miss', () => {
  it.each([
    ['JohnDoe@acme.com', 'john.doe@acme.com', true, 'dots in the local part and case'],
    ['john.doe@acme-eng.com', 'john.doe@acme.com', true, 'alias domain of the organization'],
    ['john.doe+cad@acme.com', 'john.doe@acme.com', true, 'a plus-tag names the same mailbox'],
    ['john.doe@acme.co', 'john.doe@acme.com', true, 'a TLD typo'],
    ['john.doe@amce.com', 'john.doe@acme.com', true, 'transposed letters in the domain'],
    ['jon.doe@acme.com', 'john.doe@acme.com', false, 'a letter more or less in the local part is another person'],
    ['tim.berg@acme.com', 'tom.berg@acme.com', false, 'tim and tom are two people'],
    ['jane.dee@acme.com', 'jane.doe@acme.com', false, 'dee and doe are two people'],
    ['bob.lee@acme.com', 'rob.lee@acme.com', false, 'bob and rob are two people'],
    ['member01@acme.com', 'member03@acme.com', false, 'numbered addresses are different people'],
    ['john.doe@ab.io', 'john.doe@ab.co', false, 'short domains one letter apart are different domains'],
    ['mary.major@acme.com', 'john.doe@acme.com', false, 'a different person'],
    ['john.doe@acme.com', 'john.doe@acme.com', false, 'the same address is not a miss'],
    ['john.doe@other.com', 'john.doe@acme.com', false, 'a foreign domain is not an alias'],
  ])('%s vs %s → %s (%s)', (attempted, known, expected) => {
    const result = isNearMiss(attempted, known, ['acme.com', 'acme-eng.com']);
    expect(result).toBe(expected);
  });

  it('computes edit distance and stops early past the bound', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('a', 'abcdefgh', 2)).toBeGreaterThan(2);
  });

  it('suggests the closest known address', () => {
    expect(findNearMiss('johndoe@acme.com', ['john.doe@acme.com', 'joan.doe@acme.com', 'x@y.z'], [])).toBe('john.doe@acme.com');
    expect(findNearMiss('john.do@acme.com', ['john.doe@acme.com'], [])).toBeNull();
    expect(findNearMiss('nobody@else.org', ['john.doe@acme.com'], [])).toBeNull();
  });

  it('counts a swap of neighbouring letters as one typo', () => {
    expect(typoDistance('acme.com', 'amce.com')).toBe(1);
    expect(typoDistance('acme.com', 'acme.co')).toBe(1);
  });

  it('suggests the alias domain a typo of it was meant to be', () => {
    expect(aliasDomainCandidates('jdoe@acme.co', ['acme.com', 'acme-eng.com'])).toEqual(['jdoe@acme.com']);
    expect(aliasDomainCandidates('jdoe@acme.com', ['acme.com'])).toEqual([]);
    expect(aliasDomainCandidates('jdoe@other.org', ['acme.com'])).toEqual([]);
  });

  it("takes the members' primary addresses, skipping members without an account", () => {
    const accounts = { acc_1: { email: 'a@acme.com' }, acc_2: { email: 'b@acme.com' }, acc_x: { email: 'not-a-member@acme.com' } };
    const m = (accountId: string) => ({ accountId, role: 'member' as const, joinedAt: 0 });
    const members = { acc_1: m('acc_1'), acc_2: m('acc_2'), acc_gone: m('acc_gone') };
    expect(memberEmails({ members }, accounts)).toEqual(['a@acme.com', 'b@acme.com']);
  });
});

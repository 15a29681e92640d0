import { describe, expect, it } from 'vitest';
import { editDistance, findNearMiss, isNearMiss, memberEmails } from './email-match.js';

describe('email near-miss', () => {
  it.each([
    ['JohnDoe@acme.com', 'john.doe@acme.com', true, 'dots in the local part and case'],
    ['john.doe@acme-eng.com', 'john.doe@acme.com', true, 'alias domain of the organization'],
    ['jon.doe@acme.com', 'john.doe@acme.com', true, 'edit distance 1'],
    ['jhon.doe@acme.com', 'john.doe@acme.com', true, 'one transposition is edit distance 2'],
    ['jhon.deo@acme.com', 'john.doe@acme.com', false, 'two transpositions are edit distance 4'],
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
    expect(findNearMiss('john.do@acme.com', ['john.doe@acme.com', 'joan.doe@acme.com', 'x@y.z'], [])).toBe('john.doe@acme.com');
    expect(findNearMiss('nobody@else.org', ['john.doe@acme.com'], [])).toBeNull();
  });

  it("takes the members' primary addresses, skipping members without an account", () => {
    const accounts = { acc_1: { email: 'a@acme.com' }, acc_2: { email: 'b@acme.com' }, acc_x: { email: 'not-a-member@acme.com' } };
    const m = (accountId: string) => ({ accountId, role: 'member' as const, joinedAt: 0 });
    const members = { acc_1: m('acc_1'), acc_2: m('acc_2'), acc_gone: m('acc_gone') };
    expect(memberEmails({ members }, accounts)).toEqual(['a@acme.com', 'b@acme.com']);
  });
});

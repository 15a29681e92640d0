import { describe, expect, it } from 'vitest';
import { machineIdHash, normalizeUserCode, USER_CODE_ALPHABET, userCodeFrom } from './devices.js';

describe('user codes', () => {
  it.each([
    ['WDJB-MJHT', 'WDJB-MJHT'],
    ['wdjb mjht', 'WDJB-MJHT'],
    ['wdjbmjht', 'WDJB-MJHT'],
    ['WDJB-MJH', null],
    ['WDJB-MJH0', null],
    ['AEIO-UBCD', null],
  ])('normalizes %j to %j', (typed, expected) => {
    expect(normalizeUserCode(typed)).toBe(expected);
  });

  it('draws 8 characters from the unambiguous alphabet without bias from bytes ≥ 240', () => {
    const bytes = [255, 240, 0, 1, 19, 20, 239, 5, 6, 7, 8];
    let i = 0;
    const code = userCodeFrom(() => bytes[i++]!);
    expect(code).toBe(`${USER_CODE_ALPHABET[0]}${USER_CODE_ALPHABET[1]}${USER_CODE_ALPHABET[19]}${USER_CODE_ALPHABET[0]}-${USER_CODE_ALPHABET[19]}${USER_CODE_ALPHABET[5]}${USER_CODE_ALPHABET[6]}${USER_CODE_ALPHABET[7]}`);
    expect(i).toBe(10);
    expect(USER_CODE_ALPHABET).not.toMatch(/[AEIOU01]/);
  });
});

describe('machine ids', () => {
  it('are salted per organization', () => {
    const id = 'a'.repeat(64);
    expect(machineIdHash('salt-1', id)).toMatch(/^[0-9a-f]{64}$/);
    expect(machineIdHash('salt-1', id)).toBe(machineIdHash('salt-1', id));
    expect(machineIdHash('salt-1', id)).not.toBe(machineIdHash('salt-2', id));
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPrivateAddress, retryDelay, seatLimitsReached, signDelivery, webhookEventOf } from './webhooks.js';
import type { OrgDoc } from './model.js';

describe('webhook rules', () => {
  it('signs timestamp.body with HMAC-SHA256', () => {
    const expected = createHmac('sha256', 'k').update('1700000000.{"a":1}').digest('hex');
    expect(signDelivery('k', 1700000000, '{"a":1}')).toBe(`v1=${expected}`);
    expect(signDelivery('k', 1700000001, '{"a":1}')).not.toBe(`v1=${expected}`);
  });

  it('retries after each configured delay, then gives up', () => {
    expect([1, 2, 3].map((n) => retryDelay(n, [10, 20]))).toEqual([10, 20, null]);
  });

  it('treats loopback, private, link-local, mapped and unparsable addresses as private', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.20.1.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', 'nonsense']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('maps feed kinds to events', () => {
    expect(webhookEventOf({ kind: 'assignment' })).toBe('seat.changed');
    expect(webhookEventOf({ kind: 'sign-in' })).toBeUndefined();
  });

  it('names the lines an addition filled to their seats, and no other', () => {
    const line = (id: string, seats: number) => ({ id, productCode: id.toUpperCase(), seats, method: 'named-user' });
    const asg = (lineId: string, n: number) => Array.from({ length: n }, (_, i) => [`${lineId}_${i}`, { id: `${lineId}_${i}`, lineId, accountId: `acc_${i}` }]);
    const doc = {
      contracts: { c1: { id: 'c1', number: 'C-1', lines: [line('full', 3), line('spare', 3), line('over', 1), line('none', 0)] } },
      assignments: Object.fromEntries([...asg('full', 3), ...asg('spare', 2), ...asg('over', 2)]),
    } as unknown as OrgDoc;
    expect(seatLimitsReached(doc, ['full', 'full', 'spare', 'over', 'none', 'gone'])).toEqual([{ lineId: 'full', productCode: 'FULL', contractNumber: 'C-1', seats: 3 }]);
  });
});

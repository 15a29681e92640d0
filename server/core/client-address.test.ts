import { describe, expect, it } from 'vitest';
import { addressKey, addressPolicy } from './client-address.js';

describe('addressKey', () => {
  it('counts an IPv4 address the same whether it arrives plain or IPv4-mapped', () => {
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts every address of one IPv6 /64 under one key, so a subscriber cannot spread over 2^64 addresses', () => {
    const a = addressKey('2001:db8:1:2::1');
    expect(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(a);
    expect(addressKey('2001:0db8:0001:0002:0:0:0:abcd')).toBe(a);
    expect(addressKey('2001:db8:1:3::1')).not.toBe(a);
    expect(a).toBe('2001:db8:1:2::/64');
  });

  it('expands the short forms of IPv6 before taking the prefix', () => {
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0::/64');
  });
});

describe('addressPolicy', () => {
  it('takes the client from X-Forwarded-For only when the peer is a trusted proxy', () => {
    const policy = addressPolicy(['10.0.0.0/8']);
    const req = (peer: string, xff?: string) => ({ socket: { remoteAddress: peer }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as never;
    expect(policy.clientOf(req('10.1.2.3', '198.51.100.9'))).toBe('198.51.100.9');
    expect(policy.clientOf(req('198.51.100.1', '1.2.3.4'))).toBe('198.51.100.1');
    expect(policy.clientOf(req('10.1.2.3', '6.6.6.6, 198.51.100.9, 10.9.9.9'))).toBe('198.51.100.9');
  });
});

import { describe, expect, expectTypeOf, it } from 'vitest';
import type { RevokeReason as StoreRevokeReason, InventoryItem as StoreInventoryItem } from '../../server/domain/model.js';
import { inventoryHash } from './inventory-hash.js';
import { encodeFrame, parseFrame, type AgentToServer, type ServerToAgent } from './messages.js';
import type { InventoryItem } from './inventory.js';
import { RevokeReason } from './lease.js';
import { switchParts } from './method-switch.js';

const sig = 'A'.repeat(86);

describe('protocol frames', () => {
  it('round-trips every agent-to-server message through encode and parse', () => {
    const msgs: AgentToServer[] = [
      { v: 1, type: 'hello', protocol: 1, deviceId: 'dev_1', agentVersion: '0.1.0', signature: sig, leases: ['l1'], inventoryHash: null },
      { v: 1, type: 'inventory', items: [{ productCode: 'ACAD', version: '2025', path: '/opt/autodesk', serial: null }], hash: 'a'.repeat(64) },
      { v: 1, type: 'login.start' },
      { v: 1, type: 'logout' },
      { v: 1, type: 'lease.request', productCode: 'SW-PRO' },
      { v: 1, type: 'ack', id: 'p1' },
      { v: 1, type: 'error', code: 'FRAME_INVALID', message: 'x', ref: 'p1' },
    ];
    for (const m of msgs) expect(parseFrame('agent-to-server', encodeFrame(m))).toEqual({ ok: true, msg: m });
  });

  it('round-trips every server-to-agent message through encode and parse', () => {
    const msgs: ServerToAgent[] = [
      { v: 1, type: 'challenge', nonce: 'n'.repeat(32) },
      { v: 1, type: 'welcome', serverTime: 1, deviceId: 'dev_1', settings: { heartbeatSeconds: 30, leaseTtlSeconds: 3600, inventoryCron: '*/15 * * * *' } },
      { v: 1, type: 'reconcile', id: 'r1', grant: ['aaaaaaaa.bbbbbbbb.cccc'], revoke: [{ jti: 'l1', productCode: 'ACAD', reason: 'reassigned' }], signedInAccount: null },
      { v: 1, type: 'lease.grant', id: 'g1', token: 'aaaaaaaa.bbbbbbbb.cccc' },
      { v: 1, type: 'lease.revoke', id: 'v1', jti: 'l1', productCode: 'ACAD', reason: 'unassigned' },
      { v: 1, type: 'method.switch', id: 'm1', productCode: 'ACAD', method: 'serial' },
      { v: 1, type: 'method.switch', id: 'm2', productCode: 'ACAD', method: 'serial', revoke: [{ jti: 'l1', productCode: 'ACAD', reason: 'method-switched' }], grant: ['aaaaaaaa.bbbbbbbb.cccc'] },
      { v: 1, type: 'login.code', userCode: 'BDWP-HQPK', verificationUri: 'http://127.0.0.1:8080/device', expiresIn: 600, interval: 5 },
      { v: 1, type: 'login.done', account: { id: 'acc_1', email: 'a@b.c', name: 'A' } },
      { v: 1, type: 'login.failed', reason: 'expired' },
      { v: 1, type: 'inventory.request', id: 'i1' },
      { v: 1, type: 'error', code: 'NOT_ENTITLED', message: 'no seat' },
    ];
    for (const m of msgs) expect(parseFrame('server-to-agent', encodeFrame(m))).toEqual({ ok: true, msg: m });
  });

  it('puts v first and fills it in when omitted', () => {
    expect(encodeFrame({ type: 'ack', id: 'x' })).toBe('{"v":1,"type":"ack","id":"x"}');
  });

  it.each([
    ['{nope', 'FRAME_INVALID_JSON'],
    ['[1]', 'FRAME_INVALID'],
    ['{"v":1}', 'FRAME_INVALID'],
    ['{"v":1,"type":"welcome"}', 'FRAME_UNKNOWN_TYPE'],
    ['{"v":2,"type":"ack","id":"a"}', 'FRAME_INVALID'],
    ['{"v":1,"type":"ack","id":"a","extra":1}', 'FRAME_INVALID'],
    ['{"v":1,"type":"lease.request","productCode":"acad"}', 'FRAME_INVALID'],
    [`{"v":1,"type":"hello","protocol":1,"deviceId":"__proto__","agentVersion":"1","signature":"${sig}","leases":[],"inventoryHash":null}`, 'FRAME_INVALID'],
    [`{"v":1,"type":"hello","protocol":1,"deviceId":"dev_1","agentVersion":"1","signature":"${sig}","leases":["constructor"],"inventoryHash":null}`, 'FRAME_INVALID'],
  ])('rejects %s from an agent with %s', (text, code) => {
    const r = parseFrame('agent-to-server', text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });

  it('keeps the id of an invalid frame as ref so the error can name it', () => {
    const r = parseFrame('server-to-agent', '{"v":1,"type":"lease.grant","id":"g9","token":"x"}');
    expect(r).toMatchObject({ ok: false, code: 'FRAME_INVALID', ref: 'g9', type: 'lease.grant' });
  });

  it('bounds arrays', () => {
    const leases = Array.from({ length: 257 }, (_, i) => `l${i}`);
    const text = encodeFrame({ type: 'hello', protocol: 1, deviceId: 'd', agentVersion: '1', signature: sig, leases, inventoryHash: null });
    expect(parseFrame('agent-to-server', text).ok).toBe(false);
  });

  it('rejects oversized frames before parsing', () => {
    const r = parseFrame('agent-to-server', `{"v":1,"type":"ack","id":"${'a'.repeat(300_000)}"}`);
    expect(r).toMatchObject({ ok: false, code: 'FRAME_INVALID' });
  });

  it('keeps RevokeReason and InventoryItem identical to the store types', () => {
    expectTypeOf<RevokeReason>().toEqualTypeOf<StoreRevokeReason>();
    expectTypeOf<InventoryItem>().toEqualTypeOf<StoreInventoryItem>();
    // Every reason the store may hold is one a revoke frame may carry.
    expect(RevokeReason.options).toContain('team-removed');
  });

  it('spells a method.switch with leases out as the protocol-1 frames it stands for, each one valid', () => {
    const parts = switchParts({ type: 'method.switch', id: 'psh_1', productCode: 'ACAD', method: 'serial', revoke: [{ jti: 'l1', productCode: 'ACAD', reason: 'method-switched' }], grant: ['aaaaaaaa.bbbbbbbb.cccc'] });
    expect(parts).toEqual([
      { type: 'method.switch', id: 'psh_1', productCode: 'ACAD', method: 'serial' },
      { type: 'lease.revoke', id: 'psh_1.r0', jti: 'l1', productCode: 'ACAD', reason: 'method-switched' },
      { type: 'lease.grant', id: 'psh_1.g0', token: 'aaaaaaaa.bbbbbbbb.cccc' },
    ]);
    for (const p of parts) expect(parseFrame('server-to-agent', encodeFrame(p)).ok).toBe(true);
  });

  it('hashes inventory independent of order', () => {
    const a = { productCode: 'ACAD', version: '2025', path: '/a', serial: null };
    const b = { productCode: 'REVIT', version: null, path: '/b', serial: 'S1' };
    expect(inventoryHash([a, b])).toBe(inventoryHash([b, a]));
    expect(inventoryHash([a, b])).not.toBe(inventoryHash([a]));
    expect(inventoryHash([])).toMatch(/^[0-9a-f]{64}$/);
  });
});

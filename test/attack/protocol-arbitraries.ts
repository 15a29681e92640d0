// fast-check arbitraries for every wire message in shared/protocol: valid messages of each type,
// and frames made from them that are wrong in one way (a key missing, an extra key, a value of
// the wrong type, another version, a truncated or spliced text), plus plain garbage.
import fc from 'fast-check';
import { RevokeReason } from '../../shared/protocol/lease.js';
import { CheckOutcome } from '../../shared/protocol/usage.js';
import { MAX_FRAME_BYTES } from '../../shared/protocol/version.js';
import type { AgentToServerType, ServerToAgentType } from '../../shared/protocol/messages.js';

type Msg = Record<string, unknown>;

const messageId = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/);
// Never a name every object answers to (`valueOf`, `__proto__`…): EntityId refuses those.
const entityId = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/).filter((s) => !(s in Object.prototype));
const productCode = fc.stringMatching(/^[A-Z0-9][A-Z0-9_-]{0,31}$/);
const b64url = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`));
const leaseToken = fc.tuple(b64url(8, 60), b64url(8, 200), b64url(0, 86)).map(([h, p, s]) => `${h}.${p}.${s}`);
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const method = fc.constantFrom('serial', 'named-user');
const reason = fc.constantFrom(...RevokeReason.options);
const text = (max: number) => fc.string({ maxLength: max, unit: 'grapheme' });
const accountRef = fc.record({ id: entityId, email: fc.string({ minLength: 3, maxLength: 60 }), name: text(40) });
const os = fc.record({ platform: text(20), distro: text(20), release: text(20), arch: text(10) });
const inventoryItem = fc.record({ productCode, version: fc.option(text(20), { nil: null }), path: fc.string({ minLength: 1, maxLength: 80 }), serial: fc.option(text(30), { nil: null }) });
const errorCode = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,40}$/);
const url = fc.constantFrom('http://127.0.0.1:8080/activate', 'https://licenses.example.com/activate', 'http://seatkeeper.local:3000/a/b?c=d');

/** A message of `type` with these fields; optional ones (listed) are sometimes absent. */
function msg(type: string, fields: Record<string, fc.Arbitrary<unknown>>, optional: string[] = []): fc.Arbitrary<Msg> {
  const required = ['v', 'type', ...Object.keys(fields).filter((k) => !optional.includes(k))];
  const model: Record<string, fc.Arbitrary<unknown>> = { v: fc.constant(1), type: fc.constant(type), ...fields };
  return fc.record(model, { requiredKeys: required });
}

const errorFrame = msg('error', { id: messageId, code: errorCode, message: text(200), ref: messageId }, ['id', 'ref']);

/** Valid agent → server messages, one arbitrary per type. */
export const agentToServer: Record<AgentToServerType, fc.Arbitrary<Msg>> = {
  hello: msg(
    'hello',
    {
      id: messageId,
      protocol: fc.integer({ min: 1, max: 1000 }),
      deviceId: entityId,
      agentVersion: fc.string({ minLength: 1, maxLength: 64 }),
      signature: b64url(86, 86),
      leases: fc.array(entityId, { maxLength: 20 }),
      inventoryHash: fc.option(hex64, { nil: null }),
    },
    ['id'],
  ),
  inventory: msg('inventory', { id: messageId, items: fc.array(inventoryItem, { maxLength: 8 }), hash: hex64, os }, ['id', 'os']),
  'login.start': msg('login.start', { id: messageId }, ['id']),
  logout: msg('logout', { id: messageId }, ['id']),
  'lease.request': msg('lease.request', { id: messageId, productCode }, ['id']),
  'usage.report': msg('usage.report', {
    id: messageId,
    counts: fc.array(
      fc.tuple(productCode, fc.constantFrom(...CheckOutcome.options), fc.option(fc.stringMatching(/^[A-Za-z0-9._@ $-]{1,64}$/), { nil: null }), fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 2 ** 50 }), fc.integer({ min: 0, max: 1e9 })).map(([productCode, outcome, user, count, first, span]) => ({ productCode, outcome, user, count, first, last: first + span })),
      { minLength: 1, maxLength: 5 },
    ),
  }),
  ack: msg('ack', { id: messageId }),
  error: errorFrame,
};

/** Valid server → agent messages, one arbitrary per type. */
export const serverToAgent: Record<ServerToAgentType, fc.Arbitrary<Msg>> = {
  challenge: msg('challenge', { id: messageId, nonce: b64url(22, 128) }, ['id']),
  'usage.ack': msg('usage.ack', { ref: messageId }),
  welcome: msg(
    'welcome',
    {
      id: messageId,
      serverTime: fc.integer({ min: 0, max: 2 ** 50 }),
      deviceId: entityId,
      settings: fc.record({
        heartbeatSeconds: fc.integer({ min: 5, max: 3600 }),
        leaseTtlSeconds: fc.integer({ min: 60, max: 90 * 24 * 3600 }),
        inventoryCron: fc.string({ minLength: 9, maxLength: 100 }),
      }),
    },
    ['id'],
  ),
  reconcile: msg('reconcile', {
    id: messageId,
    grant: fc.array(leaseToken, { maxLength: 5 }),
    revoke: fc.array(fc.record({ jti: entityId, productCode, reason }), { maxLength: 5 }),
    signedInAccount: fc.option(accountRef, { nil: null }),
  }),
  'lease.grant': msg('lease.grant', { id: messageId, token: leaseToken }),
  'lease.revoke': msg('lease.revoke', { id: messageId, jti: entityId, productCode, reason }),
  'lease.keys': msg('lease.keys', {
    keys: fc.array(fc.record({ kid: b64url(43, 43), x: b64url(43, 43), retiresAt: fc.option(fc.integer({ min: 0, max: 2 ** 50 }), { nil: null }) }), { minLength: 1, maxLength: 8 }),
    signatures: fc.array(fc.record({ kid: b64url(43, 43), sig: b64url(86, 86) }), { minLength: 1, maxLength: 8 }),
  }),
  'method.switch': msg('method.switch', { id: messageId, productCode, method }),
  'login.code': msg(
    'login.code',
    { id: messageId, userCode: fc.string({ minLength: 4, maxLength: 32 }), verificationUri: url, expiresIn: fc.integer({ min: 1, max: 3600 }), interval: fc.integer({ min: 1, max: 60 }) },
    ['id'],
  ),
  'login.done': msg('login.done', { id: messageId, account: accountRef }, ['id']),
  'login.failed': msg('login.failed', { id: messageId, reason: fc.string({ minLength: 1, maxLength: 200 }) }, ['id']),
  'inventory.request': msg('inventory.request', { id: messageId }),
  error: errorFrame,
};

const anyValue = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom(null, true, 0, -1, 1.5, 2 ** 53, '', 'x'.repeat(5000), [], {}, { __proto__: null }, 'NaN', '__proto__', 'constructor', 'valueOf'),
  fc.string({ maxLength: 300 }),
);

/** One thing wrong with a valid message, as the text a peer would send. */
export function malformed(valid: fc.Arbitrary<Msg>, types: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    // a key missing
    fc.tuple(valid, fc.nat()).map(([m, k]) => {
      const keys = Object.keys(m);
      const copy = { ...m };
      delete copy[keys[k % keys.length]!];
      return JSON.stringify(copy);
    }),
    // a value of the wrong type or out of range
    fc.tuple(valid, fc.nat(), anyValue).map(([m, k, v]) => {
      const keys = Object.keys(m);
      return JSON.stringify({ ...m, [keys[k % keys.length]!]: v });
    }),
    // a key the schema does not know
    fc.tuple(valid, fc.string({ minLength: 1, maxLength: 20 }), anyValue).map(([m, k, v]) => JSON.stringify({ ...m, [k]: v })),
    // another version or another type
    fc.tuple(valid, fc.oneof(fc.integer(), fc.constant('1'), fc.constant(null))).map(([m, v]) => JSON.stringify({ ...m, v })),
    fc.tuple(valid, fc.oneof(fc.constantFrom(...types), fc.string({ maxLength: 80 }))).map(([m, type]) => JSON.stringify({ ...m, type })),
    // the text cut short, or a character spliced in
    fc.tuple(valid, fc.nat()).map(([m, k]) => {
      const t = JSON.stringify(m);
      return t.slice(0, k % t.length);
    }),
    fc.tuple(valid, fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([m, k, c]) => {
      const t = JSON.stringify(m);
      const i = k % t.length;
      return t.slice(0, i) + c + t.slice(i + 1);
    }),
    // wrapped in something that is not an object
    valid.map((m) => JSON.stringify([m])),
    valid.map((m) => JSON.stringify(JSON.stringify(m))),
  );
}

/** Text that has nothing to do with the protocol, including the large and the deeply nested. */
export const garbageText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.json({ maxDepth: 4 }),
  fc.constantFrom('', ' ', 'null', '{}', '[]', '"hello"', '1e999', '{"v":1}', '{"type":null}', '{"v":1,"type":{}}', '{"__proto__":{"type":"ack"}}'),
  fc.integer({ min: 1, max: 30_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 1, max: 5_000 }).map((d) => `{"v":1,"type":"ack","id":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}`),
  fc.constant(`{"v":1,"type":"ack","id":"${'a'.repeat(MAX_FRAME_BYTES)}"}`),
);

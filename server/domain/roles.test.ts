import { describe, expect, it } from 'vitest';
import type { Role } from './model.js';
import { roleChangeDecision, higherRole } from './roles.js';

type Row = [actor: Role | undefined, target: Role, to: Role | null, admins: number, expected: 'ok' | 'FORBIDDEN' | 'LAST_ADMIN'];

describe('roleChangeDecision', () => {
  it.each<Row>([
    // who may act at all
    [undefined, 'member', 'admin', 1, 'FORBIDDEN'],
    ['member', 'member', 'admin', 1, 'FORBIDDEN'],
    ['member', 'member', null, 1, 'FORBIDDEN'],
    // appointing and demoting admins
    ['admin', 'member', 'admin', 1, 'ok'],
    ['owner', 'member', 'admin', 1, 'ok'],
    ['admin', 'admin', 'member', 2, 'ok'],
    ['owner', 'admin', 'member', 2, 'ok'],
    ['admin', 'member', null, 1, 'ok'],
    // only owners touch owners
    ['admin', 'member', 'owner', 1, 'FORBIDDEN'],
    ['admin', 'admin', 'owner', 2, 'FORBIDDEN'],
    ['admin', 'owner', 'admin', 2, 'FORBIDDEN'],
    ['admin', 'owner', 'member', 2, 'FORBIDDEN'],
    ['admin', 'owner', null, 2, 'FORBIDDEN'],
    ['admin', 'owner', 'owner', 2, 'ok'],
    ['owner', 'member', 'owner', 1, 'ok'],
    ['owner', 'admin', 'owner', 2, 'ok'],
    ['owner', 'owner', 'admin', 1, 'ok'],
    ['owner', 'owner', 'member', 2, 'ok'],
    ['owner', 'owner', null, 2, 'ok'],
    // the last administrator stays
    ['owner', 'owner', 'member', 1, 'LAST_ADMIN'],
    ['owner', 'owner', null, 1, 'LAST_ADMIN'],
    ['admin', 'admin', 'member', 1, 'LAST_ADMIN'],
    ['admin', 'admin', null, 1, 'LAST_ADMIN'],
    ['owner', 'admin', 'admin', 1, 'ok'],
    ['owner', 'member', 'member', 1, 'ok'],
  ])('%s changing %s to %s with %i admin(s): %s', (actorRole, targetRole, newRole, adminCount, expected) => {
    const d = roleChangeDecision({ actorRole, targetRole, newRole, adminCount });
    expect(d.ok ? 'ok' : d.code).toBe(expected);
    if (!d.ok) expect(d.message.length).toBeGreaterThan(10);
  });

  it('says removal or demotion in the last-admin message', () => {
    const removal = roleChangeDecision({ actorRole: 'owner', targetRole: 'owner', newRole: null, adminCount: 1 });
    const demotion = roleChangeDecision({ actorRole: 'owner', targetRole: 'owner', newRole: 'member', adminCount: 1 });
    expect(!removal.ok && removal.message).toMatch(/before removing/);
    expect(!demotion.ok && demotion.message).toMatch(/before demoting/);
  });
});

describe('higherRole', () => {
  it.each<[Role, Role, Role]>([
    ['member', 'admin', 'admin'],
    ['admin', 'member', 'admin'],
    ['owner', 'admin', 'owner'],
    ['member', 'member', 'member'],
    ['admin', 'owner', 'owner'],
  ])('%s vs %s → %s', (a, b, out) => expect(higherRole(a, b)).toBe(out));
});

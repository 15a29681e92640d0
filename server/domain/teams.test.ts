import { describe, expect, it } from 'vitest';
import { demoCatalog } from '../../shared/catalog.js';
import { SeatkeeperError } from '../../shared/errors.js';
import { emptyOrgDoc, type OrgDoc } from './model.js';
import { canSeeMember } from './permissions.js';
import {
  applyTeamMembership,
  canManageTeamMembers,
  canRemoveFromTeam,
  canSeeTeam,
  planRenameTeam,
  planTeamContract,
  planTeamMembership,
  projectLineIds,
  requireTeamNameFree,
} from './teams.js';

function fixture(): OrgDoc {
  const doc = emptyOrgDoc({ id: 'org_1', name: 'Acme', aliasDomains: [], salt: 's', claimedBy: null, claimedAt: null, termsAcceptedAt: null, settings: { leaseTtlSeconds: 60 }, createdAt: 0 });
  doc.products = Object.fromEntries(demoCatalog.map((p) => [p.code, p]));
  doc.members = {
    acc_admin: { accountId: 'acc_admin', role: 'admin', joinedAt: 0 },
    acc_lead: { accountId: 'acc_lead', role: 'member', joinedAt: 0 },
    acc_dev: { accountId: 'acc_dev', role: 'member', joinedAt: 0 },
    acc_out: { accountId: 'acc_out', role: 'member', joinedAt: 0 },
  };
  doc.contracts = {
    con_bim: { id: 'con_bim', number: 'C-BIM', serials: [], startsAt: 0, endsAt: 1, lines: [
      { id: 'lin_bim', productCode: 'BIM-COLLAB', seats: 3, method: 'named-user' },
      { id: 'lin_acad', productCode: 'ACAD', seats: 3, method: 'serial' },
    ] },
    con_sw: { id: 'con_sw', number: 'C-SW', serials: [], startsAt: 0, endsAt: 1, lines: [{ id: 'lin_sw', productCode: 'SW-PREMIUM', seats: 3, method: 'named-user' }] },
  };
  doc.teams = {
    tea_1: { id: 'tea_1', name: 'Bridges', memberIds: ['acc_lead', 'acc_dev'], adminIds: ['acc_lead'], contractIds: ['con_bim'], createdAt: 0 },
    tea_2: { id: 'tea_2', name: 'Tunnels', memberIds: ['acc_out'], adminIds: [], contractIds: [], createdAt: 0 },
  };
  return doc;
}

describe('team permissions', () => {
  it.each([
    ['acc_admin', 'tea_1', true, true],
    ['acc_admin', 'tea_2', true, true],
    ['acc_lead', 'tea_1', true, true],
    ['acc_lead', 'tea_2', false, false],
    ['acc_dev', 'tea_1', false, true],
    ['acc_out', 'tea_1', false, false],
  ])('%s on %s: manage members %s, see %s', (actor, teamId, manage, see) => {
    const doc = fixture();
    expect(canManageTeamMembers(doc, actor, doc.teams[teamId]!)).toBe(manage);
    expect(canSeeTeam(doc, actor, doc.teams[teamId]!)).toBe(see);
  });
});

describe('removing from a team', () => {
  it.each([
    ['acc_admin', 'acc_colead', true, 'an org admin removes anyone'],
    ['acc_lead', 'acc_dev', true, 'a team admin removes a plain member'],
    ['acc_lead', 'acc_colead', false, 'a team admin never removes a fellow team admin'],
    ['acc_lead', 'acc_lead', true, 'a team admin may step out'],
    ['acc_dev', 'acc_dev', false, 'a plain member manages nobody'],
    ['acc_out', 'acc_dev', false, 'nor does an outsider'],
  ])('%s removing %s → %s (%s)', (actor, target, allowed) => {
    const doc = fixture();
    doc.members.acc_colead = { accountId: 'acc_colead', role: 'member', joinedAt: 0 };
    doc.teams.tea_1!.memberIds.push('acc_colead');
    doc.teams.tea_1!.adminIds.push('acc_colead');
    expect(canRemoveFromTeam(doc, actor, doc.teams.tea_1!, target)).toBe(allowed);
  });
});

describe('who sees which member', () => {
  it.each([
    ['acc_admin', 'acc_out', true],
    ['acc_lead', 'acc_dev', true],
    ['acc_lead', 'acc_lead', true],
    ['acc_lead', 'acc_out', false],
    ['acc_lead', 'acc_admin', false],
    ['acc_dev', 'acc_dev', true],
    ['acc_dev', 'acc_lead', false],
  ])('%s sees %s: %s', (actor, target, sees) => {
    expect(canSeeMember(fixture(), actor, target)).toBe(sees);
  });
});

describe('requireTeamNameFree', () => {
  it('refuses a name another team has, ignoring case, but allows keeping your own', () => {
    const doc = fixture();
    expect(() => requireTeamNameFree(doc, ' bridges ')).toThrow(SeatkeeperError);
    expect(() => requireTeamNameFree(doc, 'BRIDGES', 'tea_1')).not.toThrow();
    expect(() => requireTeamNameFree(doc, 'Viaducts')).not.toThrow();
  });
});

describe('projectLineIds', () => {
  it('lists the lines of two-tier products on the given contracts only', () => {
    const doc = fixture();
    expect(projectLineIds(doc, ['con_bim'])).toEqual(['lin_bim']);
    expect(projectLineIds(doc, ['con_sw'])).toEqual([]);
    expect(projectLineIds(doc, ['con_gone'])).toEqual([]);
  });
});

describe('team membership: one plan for adding and removing', () => {
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
      return 'ok';
    } catch (e) {
      return (e as SeatkeeperError).code;
    }
  };
  it.each([
    ['an org admin adds someone', 'acc_admin', 'tea_2', 'acc_dev', true, 'ok'],
    ['adding someone already in the team changes nothing', 'acc_admin', 'tea_1', 'acc_dev', true, 'nothing'],
    ['a team admin adds to their team', 'acc_lead', 'tea_1', 'acc_out', true, 'ok'],
    ['a team admin adds to another team', 'acc_lead', 'tea_2', 'acc_dev', true, 'FORBIDDEN'],
    ['adding someone not in the organization', 'acc_admin', 'tea_1', 'acc_gone', true, 'NOT_FOUND'],
    ['a team admin removes a member', 'acc_lead', 'tea_1', 'acc_dev', false, 'ok'],
    ['removing someone not in the team', 'acc_admin', 'tea_2', 'acc_dev', false, 'NOT_FOUND'],
    ['a plain member removes someone', 'acc_dev', 'tea_1', 'acc_lead', false, 'FORBIDDEN'],
  ])('%s → %s', (_label, actor, teamId, target, join, expected) => {
    const doc = fixture();
    const got = codeOf(() => {
      if (planTeamMembership(doc, actor, teamId, target, join) === null) throw Object.assign(new Error(), { code: 'nothing' });
    });
    expect(got).toBe(expected);
  });

  it("says which project lines change with the team's members, and leaving ends team admin status too", () => {
    const doc = fixture();
    const plan = planTeamMembership(doc, 'acc_admin', 'tea_1', 'acc_lead', false)!;
    expect(plan).toMatchObject({ join: false, wasAdmin: true, projectLines: ['lin_bim'] });
    applyTeamMembership(doc, plan);
    expect(doc.teams.tea_1).toMatchObject({ memberIds: ['acc_dev'], adminIds: [] });
  });

  it('renames only to a free name, and a detach of a contract not attached is NOT_FOUND', () => {
    const doc = fixture();
    expect(planRenameTeam(doc, 'tea_1', 'Bridges')).toBeNull();
    expect(codeOf(() => planRenameTeam(doc, 'tea_1', 'tunnels'))).toBe('CONFLICT');
    expect(planRenameTeam(doc, 'tea_1', 'Viaducts')).toEqual({ teamId: 'tea_1', before: 'Bridges', after: 'Viaducts' });
    expect(codeOf(() => planTeamContract(doc, 'tea_2', 'con_sw', false))).toBe('NOT_FOUND');
    expect(planTeamContract(doc, 'tea_1', 'con_bim', true)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { SeatkeeperError } from '../../shared/errors.js';
import { applyRegister, planLinkSerial, planRegister, requireOwnToken } from './accounts.js';
import { emptyGlobalDoc, emptyOrgDoc, type OrgDoc } from './model.js';

const org = (): OrgDoc =>
  emptyOrgDoc({ id: 'org_1', name: 'Acme', aliasDomains: [], salt: 's', claimedBy: null, claimedAt: null, termsAcceptedAt: null, settings: { leaseTtlSeconds: 60 }, createdAt: 0 });

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as SeatkeeperError).code;
  }
}

describe('registering and linking by serial', () => {
  it('links to the organization of the serial (any case), refuses a taken email and a serial with no organization', () => {
    const g = emptyGlobalDoc();
    const doc = org();
    g.serials['SW-1'] = 'org_1';
    g.serials['SW-LOST'] = 'org_gone';
    const orgOf = (id: string) => (id === 'org_1' ? doc : undefined);
    const input = { id: 'acc_1', email: 'a@acme.test', name: 'A', passwordHash: 'h', now: 5 };
    const plan = planRegister(g, orgOf, { ...input, serial: 'sw-1' });
    expect(plan.orgId).toBe('org_1');
    applyRegister(g, doc, plan);
    expect(doc.members.acc_1).toEqual({ accountId: 'acc_1', role: 'member', joinedAt: 5 });
    expect(codeOf(() => planRegister(g, orgOf, { ...input, id: 'acc_2' }))).toBe('EMAIL_TAKEN');
    expect(codeOf(() => planRegister(g, orgOf, { ...input, email: 'b@acme.test', serial: 'SW-LOST' }))).toBe('UNKNOWN_SERIAL');
    expect(planLinkSerial(g, orgOf, 'acc_1', 'SW-1')).toBeNull();
    expect(planLinkSerial(g, orgOf, 'acc_9', 'SW-1')).toEqual({ orgId: 'org_1' });
    expect(codeOf(() => planLinkSerial(g, orgOf, 'acc_9', 'NOPE'))).toBe('UNKNOWN_SERIAL');
  });

  it("finds only the caller's own API token", () => {
    const g = emptyGlobalDoc();
    g.apiTokens.h1 = { id: 'tok_1', accountId: 'acc_1', name: 'ci', createdAt: 0, lastUsedAt: null };
    expect(requireOwnToken(g, 'acc_1', 'tok_1')[0]).toBe('h1');
    expect(codeOf(() => requireOwnToken(g, 'acc_2', 'tok_1'))).toBe('NOT_FOUND');
  });
});

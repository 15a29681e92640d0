import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { NOW, orgDoc } from '../../test/helpers/org-doc.js';
import { importRows, type ImportEnv } from './import.js';
import type { OrgDoc } from './model.js';

/** owner, members m1..m3 (m1 in team "Design"), 2 seats of SW-PREMIUM, 5 of REVIT, a serial ACAD line */
function world(): OrgDoc {
  return orgDoc()
    .member('owner', 'owner')
    .member('m1')
    .member('m2')
    .member('m3')
    .contract('c1', [
      { id: 'l1', productCode: 'SW-PREMIUM', seats: 2 },
      { id: 'l2', productCode: 'REVIT', seats: 5 },
      { id: 'ls', productCode: 'ACAD', seats: 5, method: 'serial' },
    ])
    .team('design', { memberIds: ['m1'] }).doc;
}

function env(doc: OrgDoc): ImportEnv {
  let n = 0;
  const emails: Record<string, string> = { 'owner@acme.test': 'owner', 'm1@acme.test': 'm1', 'm2@acme.test': 'm2', 'm3@acme.test': 'm3', 'stranger@other.test': 'x1' };
  return {
    actorId: 'owner',
    now: NOW,
    ids: (p) => `${p}_${++n}`,
    accountByEmail: (e) => (emails[e] ? { id: emails[e]!, email: e } : undefined),
    memberEmails: Object.keys(emails).filter((e) => doc.members[emails[e]!]),
    invitationTtlMs: 7 * 86400_000,
    newToken: () => ({ token: `tok${n}`, hash: `hash${n}` }),
  };
}

const row = (line: number, email: string, more: Record<string, string> = {}) => ({ line, email, ...more });

describe('importRows, members', () => {
  it('sets role, team and seats of members, invites the others, and a rerun changes nothing', () => {
    const doc = world();
    const rows = [
      row(2, 'M2@acme.test', { role: 'admin', team: 'design', products: 'SW-PREMIUM;REVIT' }),
      row(3, 'new.person@acme.test', { role: 'member', products: 'REVIT' }),
      row(4, 'stranger@other.test', {}),
    ];
    const first = importRows(doc, env(doc), 'members', rows);
    expect(first.results.map((r) => [r.line, r.status])).toEqual([
      [2, 'done'],
      [3, 'done'],
      [4, 'done'],
    ]);
    expect(doc.members.m2!.role).toBe('admin');
    expect(doc.teams.design!.memberIds).toContain('m2');
    expect(Object.values(doc.assignments).filter((a) => a.accountId === 'm2').map((a) => a.lineId).sort()).toEqual(['l1', 'l2']);
    const invited = Object.values(doc.invitations).map((i) => [i.email, i.role, i.lineIds]);
    expect(invited).toEqual([
      ['new.person@acme.test', 'member', ['l2']],
      ['stranger@other.test', 'member', []],
    ]);
    expect(first.effects.flat().map((e) => e.kind).sort()).toEqual(['assign', 'assign', 'invite', 'invite', 'role', 'team']);

    const before = structuredClone(doc);
    const again = importRows(doc, env(doc), 'members', rows);
    expect(again.results.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(again.effects).toEqual([]);
    expect(doc).toEqual(before);
  });

  it('refuses a row whole: no role change when its seat is short, and says which product', () => {
    const doc = world();
    importRows(doc, env(doc), 'members', [row(2, 'm1@acme.test', { products: 'SW-PREMIUM' }), row(3, 'm2@acme.test', { products: 'SW-PREMIUM' })]);
    const r = importRows(doc, env(doc), 'members', [row(7, 'm3@acme.test', { role: 'admin', team: 'design', products: 'REVIT SW-PREMIUM' })]);
    expect(r.results[0]).toMatchObject({ line: 7, status: 'refused', code: 'SEAT_LIMIT_REACHED' });
    expect(r.seats.find((s) => s.productCode === 'SW-PREMIUM')).toMatchObject({ short: 1, free: 0 });
    expect(doc.members.m3!.role).toBe('member');
    expect(doc.teams.design!.memberIds).not.toContain('m3');
    expect(Object.values(doc.assignments).some((a) => a.accountId === 'm3')).toBe(false);
  });

  it('reports malformed cells with their line and a team name that is close', () => {
    const doc = world();
    const r = importRows(doc, env(doc), 'members', [
      row(2, 'not an email'),
      row(3, 'm1@acme.test', { role: 'emperor' }),
      row(4, 'm1@acme.test', { products: 'sw premium!' }),
      row(5, 'm1@acme.test', { team: 'Desgin' }),
      row(6, 'm1@acme.test', { products: 'NOPE' }),
    ]);
    expect(r.results.map((x) => [x.line, x.code])).toEqual([
      [2, 'VALIDATION_FAILED'],
      [3, 'VALIDATION_FAILED'],
      [4, 'VALIDATION_FAILED'],
      [5, 'NOT_FOUND'],
      [6, 'NOT_FOUND'],
    ]);
    expect(r.results[3]!.reason).toMatch(/did you mean "design"/);
  });

  it('warns of a near miss of a member email', () => {
    const doc = world();
    const r = importRows(doc, env(doc), 'members', [row(2, 'm1@acme.tset')]);
    expect(r.results[0]!.warnings.join(' ')).toMatch(/looks like m1@acme\.test/);
  });

  it('applies to the target document too, so a plain copy can be planned on', () => {
    const doc = world();
    const copy = structuredClone(doc);
    importRows(copy, env(doc), 'members', [row(2, 'm1@acme.test', { products: 'REVIT' }), row(3, 'x@acme.test')], doc);
    expect(doc).toEqual(copy);
  });
});

describe('importRows, assignments', () => {
  it('assigns a seat of the product to a member, never a serial line, and refuses non-members', () => {
    const doc = world();
    const r = importRows(doc, env(doc), 'assignments', [
      row(2, 'm1@acme.test', { product: 'REVIT' }),
      row(3, 'm1@acme.test', { product: 'REVIT' }),
      row(4, 'm1@acme.test', { product: 'ACAD' }),
      row(5, 'nobody@acme.test', { product: 'REVIT' }),
      row(6, 'm1@acme.test', { product: 'REVIT', contract: 'C-nope' }),
    ]);
    expect(r.results.map((x) => [x.line, x.status, x.code ?? null])).toEqual([
      [2, 'done', null],
      [3, 'unchanged', null],
      [4, 'refused', 'LINE_NOT_ASSIGNABLE'],
      [5, 'refused', 'NOT_FOUND'],
      [6, 'refused', 'CONTRACT_NOT_ACTIVE'],
    ]);
    expect(Object.values(doc.assignments)).toHaveLength(1);
  });
});

describe('importRows, the seat index', () => {
  /** A world of `n` members, REVIT on two contracts, SW-PREMIUM, a serial ACAD line, and seats held already. */
  function crowded(n: number, held: Array<[line: string, member: number]>): OrgDoc {
    const b = orgDoc().member('owner', 'owner');
    for (let i = 0; i < n; i++) b.member(`p${i}`);
    b.contract('c1', [
      { id: 'l1', productCode: 'SW-PREMIUM', seats: 3 },
      { id: 'l2', productCode: 'REVIT', seats: 2 },
      { id: 'ls', productCode: 'ACAD', seats: 5, method: 'serial' },
    ]).contract('c2', [{ id: 'l3', productCode: 'REVIT', seats: 2 }]);
    held.forEach(([l, m], k) => b.assign(`held_${k}`, l, `p${m % n}`));
    return b.doc;
  }
  function crowdedEnv(doc: OrgDoc, n: number): ImportEnv {
    let k = 0;
    const id = (e: string) => (e === 'owner@acme.test' ? 'owner' : /^p\d+@acme\.test$/.test(e) && Number(e.slice(1, -10)) < n ? e.slice(0, -10) : undefined);
    return {
      actorId: 'owner',
      now: NOW,
      ids: (p) => `${p}_${++k}`,
      accountByEmail: (e) => (id(e) ? { id: id(e)!, email: e } : undefined),
      memberEmails: Object.keys(doc.members).map((m) => `${m}@acme.test`),
      invitationTtlMs: 7 * 86400_000,
      newToken: () => ({ token: `tok${k}`, hash: `hash${k}` }),
    };
  }

  it('gives the same results and the same document as planning every seat against the document itself', async () => {
    const indexed = await import('./import.js');
    // A second copy of the import whose planAssign is given no index: it scans the document as the
    // single-seat route does. Both must agree on every row and leave the same document.
    vi.resetModules();
    vi.doMock('./assignments.js', async (original) => {
      const m = await original<typeof import('./assignments.js')>();
      return { ...m, planAssign: (d: OrgDoc, input: Parameters<typeof m.planAssign>[1]) => m.planAssign(d, input) };
    });
    const scanning = await import('./import.js');
    vi.doUnmock('./assignments.js');
    expect(scanning.importRows).not.toBe(indexed.importRows);
    const n = 6;
    const email = fc.oneof(fc.integer({ min: 0, max: n }).map((i) => `p${i}@acme.test`), fc.constant('owner@acme.test'));
    const product = fc.constantFrom('REVIT', 'SW-PREMIUM', 'ACAD', 'REVIT;SW-PREMIUM', 'NOPE');
    const arb = fc.record({
      held: fc.array(fc.tuple(fc.constantFrom('l1', 'l2', 'l3'), fc.nat(n)), { maxLength: 8 }),
      kind: fc.constantFrom('members' as const, 'assignments' as const),
      rows: fc.array(fc.record({ email, product, contract: fc.constantFrom('', 'C-c1', 'C-c2') }), { minLength: 1, maxLength: 25 }),
    });
    fc.assert(
      fc.property(arb, ({ held, kind, rows }) => {
        const cells = rows.map((r, i) =>
          kind === 'members' ? row(i + 2, r.email, { products: r.product }) : row(i + 2, r.email, { product: r.product, ...(r.contract ? { contract: r.contract } : {}) }),
        );
        const a = crowded(n, held);
        const b = structuredClone(a);
        const fast = indexed.importRows(a, crowdedEnv(a, n), kind, cells);
        const slow = scanning.importRows(b, crowdedEnv(b, n), kind, cells);
        expect(fast).toEqual(slow);
        expect(a).toEqual(b);
      }),
      { numRuns: 300 },
    );
  });

  it('reads the assignments a fixed number of times, however many rows (linear, not rows × assignments)', () => {
    const reads = (rows: number) => {
      const doc = crowded(rows, Array.from({ length: 2000 }, (_, k) => ['l1', k] as [string, number]));
      doc.contracts.c1!.lines[0]!.seats = 10_000;
      let enumerations = 0;
      doc.assignments = new Proxy(doc.assignments, {
        ownKeys(t) {
          enumerations++;
          return Reflect.ownKeys(t);
        },
      });
      const r = importRows(doc, crowdedEnv(doc, rows), 'assignments', Array.from({ length: rows }, (_, i) => row(i + 2, `p${i}@acme.test`, { product: 'SW-PREMIUM' })));
      expect(r.results.every((x) => x.status === (x.line - 2 < 2000 ? 'unchanged' : 'done'))).toBe(true);
      return enumerations;
    };
    expect(reads(2500)).toBe(reads(10));
  });
});

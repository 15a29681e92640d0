// A small organization document built in memory, for pure domain tests (no server, no disk).
import { demoCatalog } from '../../shared/catalog.js';
import { emptyOrgDoc, type ActivationMethod, type Contract, type OrgDoc, type Role } from '../../server/domain/model.js';

export const DAY = 24 * 3600 * 1000;
export const NOW = Date.UTC(2025, 0, 15);

export interface DocBuilder {
  doc: OrgDoc;
  member(id: string, role?: Role): DocBuilder;
  contract(id: string, lines: Array<{ id: string; productCode: string; seats: number; method?: ActivationMethod }>, term?: { startsAt?: number; endsAt?: number }): DocBuilder;
  assign(id: string, lineId: string, accountId: string): DocBuilder;
  team(id: string, t: { memberIds?: string[]; adminIds?: string[]; contractIds?: string[] }): DocBuilder;
}

export function orgDoc(orgId = 'org_a'): DocBuilder {
  const doc = emptyOrgDoc({
    id: orgId,
    name: 'Acme',
    aliasDomains: [],
    salt: 'salt',
    claimedBy: null,
    claimedAt: null,
    termsAcceptedAt: null,
    settings: { leaseTtlSeconds: 3600 },
    createdAt: NOW - 100 * DAY,
  });
  doc.products = Object.fromEntries(demoCatalog.map((p) => [p.code, p]));
  const b: DocBuilder = {
    doc,
    member(id, role = 'member') {
      doc.members[id] = { accountId: id, role, joinedAt: NOW - DAY };
      return b;
    },
    contract(id, lines, term = {}) {
      const c: Contract = {
        id,
        number: `C-${id}`,
        serials: [`SER-${id}`.toUpperCase()],
        startsAt: term.startsAt ?? NOW - 10 * DAY,
        endsAt: term.endsAt ?? NOW + 300 * DAY,
        lines: lines.map((l) => ({ id: l.id, productCode: l.productCode, seats: l.seats, method: l.method ?? 'named-user' })),
      };
      doc.contracts[id] = c;
      return b;
    },
    assign(id, lineId, accountId) {
      doc.assignments[id] = { id, lineId, accountId, assignedBy: 'acc_admin', assignedAt: NOW - DAY };
      return b;
    },
    team(id, t) {
      doc.teams[id] = { id, name: id, memberIds: t.memberIds ?? [], adminIds: t.adminIds ?? [], contractIds: t.contractIds ?? [], createdAt: NOW - DAY };
      return b;
    },
  };
  return b;
}

// Products and contracts: the catalog, contracts with their term, serials and lines, and the
// changes an administrator makes to them. Changing a line's activation method is a planned
// method switch (routes/switches.ts), never a PATCH here.
import { AddLineBody, CreateContractBody, UpdateContractBody, UpdateLineBody } from '../../../shared/api/contracts.js';
import { auditEvent } from '../../domain/audit.js';
import {
  applyAddLine,
  applyCreateContract,
  applyLineSeats,
  applyUpdateContract,
  contractView,
  planAddLine,
  planCreateContract,
  planLineSeats,
  planUpdateContract,
  productView,
  requireVisibleContract,
  seatHolders,
  visibleContracts,
} from '../../domain/contracts.js';
import { isContractActive } from '../../domain/seats.js';
import { mailPermissionsChanged } from '../../mail/permissions-mail.js';
import type { Services } from '../../core/services.js';
import type { Router } from '../router.js';

const base = '/api/v1/orgs/:orgId';

/** The contract as stored now (after a transaction, read the store, not the request's snapshot). */
function viewOf(s: Services, orgId: string, contractId: string, now: number) {
  const doc = s.store.org(orgId)!;
  return contractView(doc, doc.contracts[contractId]!, now);
}

/**
 * A contract's term ending (or starting again) changes what everyone holding one of its seats may
 * use, though no assignment changed: they get the permissions mail like any other change.
 */
async function mailTermChange(s: Services, orgId: string, contractId: string, ended: boolean): Promise<void> {
  const doc = s.store.org(orgId)!;
  const contract = doc.contracts[contractId]!;
  for (const h of seatHolders(doc, contract)) {
    const one = h.products.length === 1;
    const seats = `your seat${one ? '' : 's'} of ${h.products.join(', ')}`;
    await mailPermissionsChanged(s, h.accountId, doc.org.name, [
      ended
        ? `Contract ${contract.number} ended: ${seats} no longer grant${one ? 's' : ''} access.`
        : `Contract ${contract.number} is active again: ${seats} grant${one ? 's' : ''} access again.`,
    ]);
  }
}

export function registerContractsRoutes(r: Router): void {
  r.add({
    method: 'GET',
    url: `${base}/products`,
    access: 'member',
    summary: "The organization's product catalog: code, name, vendor, kind, two-tier flag.",
    handler: ({ org }) => ({
      products: Object.values(org.doc.products)
        .map(productView)
        .sort((a, b) => a.code.localeCompare(b.code)),
    }),
  });

  r.add({
    method: 'GET',
    url: `${base}/contracts`,
    access: 'member',
    summary: "Contracts with lines, serials, term and active flag (team admins: their teams' contracts).",
    handler: ({ s, org, account }) => {
      const now = s.clock();
      return {
        contracts: visibleContracts(org.doc, account.id)
          .sort((a, b) => a.number.localeCompare(b.number))
          .map((c) => contractView(org.doc, c, now)),
      };
    },
  });

  r.add({
    method: 'GET',
    url: `${base}/contracts/:contractId`,
    access: 'member',
    summary: 'One contract with its lines and how many seats of each are assigned.',
    handler: ({ s, org, account, params }) => {
      const c = requireVisibleContract(org.doc, account.id, params.contractId!);
      return contractView(org.doc, c, s.clock());
    },
  });

  r.add({
    method: 'POST',
    url: `${base}/contracts`,
    access: 'admin',
    body: CreateContractBody,
    status: 201,
    summary: 'Add a contract: number, serials (unique across organizations), term, lines.',
    async handler({ s, org, account, body }) {
      const now = s.clock();
      const created = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const g = t.global();
        const c = planCreateContract(doc, g, body, { contract: s.ids('con'), line: () => s.ids('lin') }, now);
        applyCreateContract(doc, g, c);
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'contract.create', c.id, null, c));
        return c;
      });
      if (isContractActive(created, now) && created.lines.length > 0) {
        // New serials and lines can give devices rights; nothing is revoked (the reason is unused).
        s.gateway.rightsChanged({ orgId: org.id, lineIds: created.lines.map((l) => l.id) });
      }
      return viewOf(s, org.id, created.id, now);
    },
  });

  r.add({
    method: 'PATCH',
    url: `${base}/contracts/:contractId`,
    access: 'admin',
    body: UpdateContractBody,
    summary: 'Change the number or term (an end in the past ends the contract) or add serials.',
    async handler({ s, org, account, body, params }) {
      const now = s.clock();
      const plan = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const g = t.global();
        const p = planUpdateContract(doc, g, params.contractId!, body, now);
        applyUpdateContract(doc, g, p);
        t.audit(auditEvent(s.ids, now, org.id, account.id, p.ended ? 'contract.end' : 'contract.update', p.after.id, p.before, p.after));
        return p;
      });
      const lineIds = plan.after.lines.map((l) => l.id);
      if (plan.ended) {
        s.gateway.rightsChanged({ orgId: org.id, reason: 'contract-ended', lineIds });
        s.events.emit('feed', { orgId: org.id, at: now, kind: 'revoke', text: `Contract ${plan.after.number} ended; its seats no longer grant access.` });
      } else if (lineIds.length > 0 && (plan.started || plan.addedSerials.length > 0)) {
        s.gateway.rightsChanged({ orgId: org.id, lineIds });
      }
      if (plan.ended || plan.started) await mailTermChange(s, org.id, plan.after.id, plan.ended);
      return viewOf(s, org.id, plan.after.id, now);
    },
  });

  r.add({
    method: 'POST',
    url: `${base}/contracts/:contractId/lines`,
    access: 'admin',
    body: AddLineBody,
    status: 201,
    summary: 'Add a line (product × seats × activation method) to a contract.',
    async handler({ s, org, account, body, params }) {
      const now = s.clock();
      const plan = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const p = planAddLine(doc, params.contractId!, body, s.ids('lin'));
        applyAddLine(doc, p);
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'contract.line.create', p.line.id, null, { contractId: p.contract.id, ...p.line }));
        return p;
      });
      if (isContractActive(plan.contract, now)) {
        s.gateway.rightsChanged({ orgId: org.id, lineIds: [plan.line.id] });
      }
      return viewOf(s, org.id, plan.contract.id, now);
    },
  });

  r.add({
    method: 'PATCH',
    url: `${base}/contracts/:contractId/lines/:lineId`,
    access: 'admin',
    body: UpdateLineBody,
    summary: 'Change the seat count of a line; never below the seats assigned now.',
    async handler({ s, org, account, body, params }) {
      const now = s.clock();
      const plan = await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const p = planLineSeats(doc, params.contractId!, params.lineId!, body.seats);
        applyLineSeats(doc, p);
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'contract.line.update', p.line.id, { seats: p.before }, { seats: p.after }));
        return p;
      });
      if (plan.after !== plan.before) {
        // Fewer seats can mean fewer serial activations; the gateway recomputes the line.
        s.gateway.rightsChanged({ orgId: org.id, lineIds: [plan.line.id] });
      }
      return viewOf(s, org.id, plan.contract.id, now);
    },
  });
}

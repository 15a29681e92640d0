// Creating organizations with their contracts: used by the operator command, the demo and tests.
// An organization exists before anyone from it registers; its serial numbers are how people find it.
// Audited as done by 'system' (org.create, contract.create), like every later change.
import { randomBytes } from 'node:crypto';
import { demoCatalog } from '../../shared/catalog.js';
import { SeatkeeperError } from '../../shared/errors.js';
import type { Services } from '../core/services.js';
import { auditEvent } from '../domain/audit.js';
import { emptyOrgDoc, type ActivationMethod, type Contract, type Product } from '../domain/model.js';

export interface ContractInput {
  number: string;
  serials: string[];
  startsAt?: number;
  endsAt?: number;
  lines: Array<{ productCode: string; seats: number; method: ActivationMethod }>;
}

export interface OrganizationInput {
  name: string;
  aliasDomains?: string[];
  contracts: ContractInput[];
  products?: Product[];
  leaseTtlSeconds?: number;
}

export async function createOrganization(s: Services, input: OrganizationInput): Promise<string> {
  const now = s.clock();
  const products = input.products ?? demoCatalog;
  const orgId = s.ids('org');
  const contracts: Record<string, Contract> = {};
  const serials: string[] = [];
  for (const c of input.contracts) {
    for (const l of c.lines) {
      if (!products.some((p) => p.code === l.productCode)) throw new SeatkeeperError('VALIDATION_FAILED', `Unknown product ${l.productCode}.`);
      if (!Number.isInteger(l.seats) || l.seats < 0) throw new SeatkeeperError('VALIDATION_FAILED', `Seats must be a whole number ≥ 0.`);
    }
    const id = s.ids('con');
    contracts[id] = {
      id,
      number: c.number,
      serials: c.serials.map((x) => x.toUpperCase()),
      startsAt: c.startsAt ?? now,
      endsAt: c.endsAt ?? now + 365 * 24 * 3600 * 1000,
      lines: c.lines.map((l) => ({ id: s.ids('lin'), ...l })),
    };
    serials.push(...contracts[id]!.serials);
  }
  await s.store.tx((t) => {
    const g = t.global();
    for (const serial of serials) {
      if (g.serials[serial]) throw new SeatkeeperError('CONFLICT', `Serial number ${serial} already belongs to an organization.`);
    }
    const doc = emptyOrgDoc({
      id: orgId,
      name: input.name,
      aliasDomains: (input.aliasDomains ?? []).map((d) => d.toLowerCase()),
      salt: randomBytes(16).toString('hex'),
      claimedBy: null,
      claimedAt: null,
      termsAcceptedAt: null,
      settings: { leaseTtlSeconds: input.leaseTtlSeconds ?? s.config.leaseTtlSeconds },
      createdAt: now,
    });
    doc.products = Object.fromEntries(products.map((p) => [p.code, p]));
    doc.contracts = contracts;
    t.createOrg(doc);
    g.orgs[orgId] = { id: orgId, name: input.name };
    for (const serial of serials) g.serials[serial] = orgId;
    // The operator made it: its audit log starts with the organization and its contracts.
    t.audit(auditEvent(s.ids, now, orgId, 'system', 'org.create', orgId, null, { name: doc.org.name, aliasDomains: doc.org.aliasDomains }));
    for (const c of Object.values(contracts)) t.audit(auditEvent(s.ids, now, orgId, 'system', 'contract.create', c.id, null, c));
  });
  return orgId;
}

// The operator's organization commands (server/http/routes/operator.ts): the organization file
// `seatkeeper-server orgs add` sends, and what listing answers.
import { z } from 'zod';
import { Product } from '../catalog.js';
import { ActivationMethod, ProductCode } from '../protocol/common.js';
import { Name, Serial } from './common.js';
import { ContractNumber } from './contracts.js';

export const OperatorContractInput = z.strictObject({
  number: ContractNumber,
  serials: z.array(Serial).min(1).max(1000),
  startsAt: z.number().int().nonnegative().optional(),
  endsAt: z.number().int().nonnegative().optional(),
  lines: z.array(z.strictObject({ productCode: ProductCode, seats: z.number().int().min(0).max(1_000_000), method: ActivationMethod })).max(1000),
});

export const OperatorOrganizationInput = z.strictObject({
  // The same rules as every name and contract number an admin types: they reach mail and pages.
  name: Name,
  aliasDomains: z.array(z.string().min(1).max(253)).max(100).optional(),
  contracts: z.array(OperatorContractInput).max(1000),
  products: z.array(Product).max(1000).optional(),
  leaseTtlSeconds: z.number().int().min(1).max(30 * 24 * 3600).optional(),
});
export type OperatorOrganizationInput = z.infer<typeof OperatorOrganizationInput>;

export const OperatorRemoveQuery = z.strictObject({ confirm: z.string().min(1).max(200) });

export interface OperatorOrgEntry {
  id: string;
  name: string;
  serials: string[];
  claimed: boolean;
  members: number;
}

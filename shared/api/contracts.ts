// Products and contracts: the organization's catalog, its contracts with their serial numbers,
// term and lines (product × seats × activation method).
import { z } from 'zod';
import { ActivationMethod, ProductKind } from '../protocol/common.js';
import { Id, Name, ProductCode, Serial } from './common.js';

/** Epoch milliseconds, or an ISO 8601 date-time a script may find easier to write. */
export const Timestamp = z.union([
  z.number().int().min(0).max(8.64e15),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

/** Shown in mail and pages like a name: no control characters or bidi overrides either. */
export const ContractNumber = Name.max(64);

/** A contract holds at most this many serials and lines; real contracts hold a handful. */
const MAX_SERIALS = 50;
const MAX_LINES = 50;
/** A seat count above this is a typo, not a purchase. */
export const MAX_SEATS = 100_000;

export const Seats = z.number().int().min(0).max(MAX_SEATS);

export const ProductView = z.object({
  code: z.string(),
  name: z.string(),
  vendor: z.string(),
  kind: ProductKind,
  needsProjectMembership: z.boolean(),
});
export type ProductView = z.infer<typeof ProductView>;

export const ContractLineView = z.object({
  id: Id,
  productCode: z.string(),
  productName: z.string(),
  seats: z.number(),
  method: ActivationMethod,
  /** seats assigned to named people now */
  assigned: z.number(),
});
export type ContractLineView = z.infer<typeof ContractLineView>;

export const ContractView = z.object({
  id: Id,
  number: z.string(),
  serials: z.array(z.string()),
  startsAt: z.number(),
  endsAt: z.number(),
  /** startsAt ≤ now < endsAt */
  active: z.boolean(),
  lines: z.array(ContractLineView),
});
export type ContractView = z.infer<typeof ContractView>;

export const LineInput = z.strictObject({ productCode: ProductCode, seats: Seats, method: ActivationMethod });
export type LineInput = z.infer<typeof LineInput>;

export const CreateContractBody = z.strictObject({
  number: ContractNumber,
  serials: z.array(Serial).min(1).max(MAX_SERIALS),
  startsAt: Timestamp.optional(),
  endsAt: Timestamp,
  lines: z.array(LineInput).max(MAX_LINES),
});
export type CreateContractBody = z.infer<typeof CreateContractBody>;

/** Term and serials only: a line's activation method changes through a planned method switch. */
export const UpdateContractBody = z
  .strictObject({
    number: ContractNumber.optional(),
    startsAt: Timestamp.optional(),
    endsAt: Timestamp.optional(),
    addSerials: z.array(Serial).min(1).max(MAX_SERIALS).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one of number, startsAt, endsAt, addSerials' });
export type UpdateContractBody = z.infer<typeof UpdateContractBody>;

export const AddLineBody = LineInput;
export type AddLineBody = z.infer<typeof AddLineBody>;

export const UpdateLineBody = z.strictObject(
  { seats: Seats },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys' && iss.keys.includes('method')
        ? "a line's activation method is changed by planning a method switch, not here; only seats can be set"
        : undefined,
  },
);
export type UpdateLineBody = z.infer<typeof UpdateLineBody>;

// Seat assignments, the seat summary, and what a member holds ("my products").
import { z } from 'zod';
import { ActivationMethod, ProductKind } from '../protocol/common.js';
import { Id, ProductCode } from './common.js';

export const AssignmentView = z.object({
  id: Id,
  lineId: Id,
  contractId: Id,
  contractNumber: z.string(),
  productCode: z.string(),
  productName: z.string(),
  method: ActivationMethod,
  accountId: Id,
  email: z.string(),
  name: z.string(),
  assignedBy: z.string(),
  assignedAt: z.number(),
});
export type AssignmentView = z.infer<typeof AssignmentView>;

export const ListAssignmentsQuery = z.strictObject({
  lineId: Id.optional(),
  accountId: Id.optional(),
  productCode: ProductCode.optional(),
});
export type ListAssignmentsQuery = z.infer<typeof ListAssignmentsQuery>;

export const AssignBody = z.strictObject({
  lineId: Id,
  accountId: Id,
  /** assign anyway although another member's address is a near miss of this one's (else 409 NEAR_MISS) */
  confirmNearMiss: z.boolean().optional(),
});
export type AssignBody = z.infer<typeof AssignBody>;

export const ReassignBody = z.strictObject({ accountId: Id });
export type ReassignBody = z.infer<typeof ReassignBody>;

/** owned − assigned, never below zero */
const counts = { owned: z.number(), assigned: z.number(), inUse: z.number(), free: z.number() };

export const LineSeats = z.object({
  lineId: Id,
  contractId: Id,
  contractNumber: z.string(),
  productCode: z.string(),
  method: ActivationMethod,
  active: z.boolean(),
  ...counts,
});
export type LineSeats = z.infer<typeof LineSeats>;

export const ProductSeats = z.object({
  productCode: z.string(),
  productName: z.string(),
  kind: ProductKind,
  /** over the lines of active contracts only */
  ...counts,
});
export type ProductSeats = z.infer<typeof ProductSeats>;

export const SeatSummary = z.object({ products: z.array(ProductSeats), lines: z.array(LineSeats) });
export type SeatSummary = z.infer<typeof SeatSummary>;

export const MyProduct = z.object({
  productCode: z.string(),
  productName: z.string(),
  vendor: z.string(),
  kind: ProductKind,
  needsProjectMembership: z.boolean(),
  /** two-tier products: am I in a team attached to this contract (the project team)? null otherwise */
  projectMember: z.boolean().nullable(),
  lineId: Id,
  contractId: Id,
  contractNumber: z.string(),
  method: ActivationMethod,
  active: z.boolean(),
  /** 'assigned': a seat is assigned to me; 'serial': any enrolled device activated with the serial */
  access: z.enum(['assigned', 'serial']),
  assignedAt: z.number().nullable(),
  /** how to use it, in words */
  note: z.string(),
});
export type MyProduct = z.infer<typeof MyProduct>;

export const MyProducts = z.object({ products: z.array(MyProduct) });
export type MyProducts = z.infer<typeof MyProducts>;

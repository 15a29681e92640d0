// Activation-method switches of a contract line: plan, apply now or at a set time, cancel.
import { z } from 'zod';
import { ActivationMethod } from '../protocol/common.js';

export const SwitchPlanBody = z.strictObject({
  to: ActivationMethod,
  /** give seats to the people using the product now, as far as seats allow */
  autoAssign: z.boolean().default(false),
});
export type SwitchPlanBody = z.infer<typeof SwitchPlanBody>;

export const SwitchApplyBody = SwitchPlanBody.extend({
  /** when to switch: epoch ms or an ISO date-time; omitted or past means now */
  runAt: z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]).optional(),
});
export type SwitchApplyBody = z.infer<typeof SwitchApplyBody>;

const Person = z.object({ accountId: z.string(), email: z.string(), name: z.string() });

export const SwitchPlanView = z.object({
  lineId: z.string(),
  contractId: z.string(),
  contractNumber: z.string(),
  productCode: z.string(),
  from: ActivationMethod,
  to: ActivationMethod,
  autoAssign: z.boolean(),
  seats: z.number(),
  assigned: z.number(),
  wouldAssign: z.array(Person),
  losesAccess: z.object({
    devices: z.array(z.object({ deviceId: z.string(), hostname: z.string(), accountId: z.string().nullable(), email: z.string().nullable() })),
    users: z.array(Person),
  }),
  keepsAccess: z.object({ devices: z.array(z.string()) }),
});
export type SwitchPlanView = z.infer<typeof SwitchPlanView>;

export const MethodSwitchView = z.object({
  id: z.string(),
  lineId: z.string(),
  productCode: z.string().nullable(),
  from: ActivationMethod,
  to: ActivationMethod,
  autoAssign: z.boolean(),
  runAt: z.number().nullable(),
  status: z.enum(['scheduled', 'applied', 'cancelled']),
  createdBy: z.string(),
  createdAt: z.number(),
  appliedAt: z.number().nullable(),
});
export type MethodSwitchView = z.infer<typeof MethodSwitchView>;

export const SwitchApplyReply = z.object({ switch: MethodSwitchView, plan: SwitchPlanView });
export type SwitchApplyReply = z.infer<typeof SwitchApplyReply>;

// server → agent push: a product's activation method changed. Since protocol 2 the frame also
// carries what the switch did to the device's leases, so one frame per device says all of it;
// `switchParts` spells it out as the protocol-1 frames it stands for.
import { z } from 'zod';
import { ActivationMethod, FrameVersion, LeaseToken, MessageId, ProductCode } from './common.js';
import { Revocation, type LeaseGrant, type LeaseRevoke } from './lease.js';

/** A switch touches one product; a device holds at most a lease or two of it. */
const MAX_SWITCH_LEASES = 16;

export const MethodSwitch = z.strictObject({
  v: FrameVersion,
  type: z.literal('method.switch'),
  id: MessageId,
  productCode: ProductCode,
  method: ActivationMethod,
  /** leases the device must drop (protocol ≥ 2) */
  revoke: z.array(Revocation).max(MAX_SWITCH_LEASES).optional(),
  /** lease tokens the device should hold now (protocol ≥ 2) */
  grant: z.array(LeaseToken).max(MAX_SWITCH_LEASES).optional(),
});
export type MethodSwitch = z.infer<typeof MethodSwitch>;

type Frame<M> = Omit<M, 'v'>;

/**
 * The frames a method.switch stands for, in protocol 1's order: the bare method.switch (it keeps
 * the id), each revocation, then each grant. The parts' ids are derived from the switch's, so a
 * protocol-1 agent acks them and the server ignores those acks; an agent of protocol 2 applies
 * every part and acks the switch once.
 */
export function switchParts(msg: Frame<MethodSwitch>): Array<Frame<LeaseRevoke> | Frame<LeaseGrant> | Frame<MethodSwitch>> {
  const parts: Array<Frame<LeaseRevoke> | Frame<LeaseGrant> | Frame<MethodSwitch>> = [
    { type: 'method.switch', id: msg.id, productCode: msg.productCode, method: msg.method },
  ];
  (msg.revoke ?? []).forEach((r, i) => parts.push({ type: 'lease.revoke', id: `${msg.id}.r${i}`, jti: r.jti, productCode: r.productCode, reason: r.reason }));
  (msg.grant ?? []).forEach((token, i) => parts.push({ type: 'lease.grant', id: `${msg.id}.g${i}`, token }));
  return parts;
}

// server → agent push: a product's activation method changed. The leases follow as separate
// revoke/grant pushes; this tells the agent which method to show and expect.
import { z } from 'zod';
import { ActivationMethod, FrameVersion, MessageId, ProductCode } from './common.js';

export const MethodSwitch = z.strictObject({
  v: FrameVersion,
  type: z.literal('method.switch'),
  id: MessageId,
  productCode: ProductCode,
  method: ActivationMethod,
});
export type MethodSwitch = z.infer<typeof MethodSwitch>;

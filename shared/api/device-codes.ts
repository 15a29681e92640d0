// Device sign-in: the person enters the code their workstation shows.
import { z } from 'zod';
import { AccountRef } from '../protocol/common.js';

export const DEVICE_CODE_ACTIVATE_PATH = '/api/v1/device-codes/activate';

export const ActivateDeviceCodeBody = z.strictObject({
  /** as shown by the agent, e.g. "WDJB-MJHT"; case, spaces and the dash do not matter */
  userCode: z.string().trim().min(8).max(32),
});
export type ActivateDeviceCodeBody = z.infer<typeof ActivateDeviceCodeBody>;

export const ActivateDeviceCodeReply = z.object({
  ok: z.literal(true),
  orgId: z.string(),
  deviceId: z.string(),
  hostname: z.string(),
  account: AccountRef,
});
export type ActivateDeviceCodeReply = z.infer<typeof ActivateDeviceCodeReply>;

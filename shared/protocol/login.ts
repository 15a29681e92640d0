// Device sign-in (RFC 8628 in spirit) and sign-out. The agent asks, the server shows a short code,
// the user enters it in the portal, the server says done and then pushes the user's leases.
import { z } from 'zod';
import { AccountRef, FrameVersion, MessageId } from './common.js';

/** agent → server */
export const LoginStart = z.strictObject({
  v: FrameVersion,
  type: z.literal('login.start'),
  id: MessageId.optional(),
});
export type LoginStart = z.infer<typeof LoginStart>;

/** server → agent: what to show the user */
export const LoginCode = z.strictObject({
  v: FrameVersion,
  type: z.literal('login.code'),
  id: MessageId.optional(),
  /** short code the user types, e.g. "BDWP-HQPK" */
  userCode: z.string().min(4).max(32),
  verificationUri: z.url({ protocol: /^https?$/ }).max(2048),
  /** seconds until the code expires */
  expiresIn: z.number().int().positive().max(3600),
  /** seconds the agent should wait between status checks (informational over a socket) */
  interval: z.number().int().positive().max(60),
});
export type LoginCode = z.infer<typeof LoginCode>;

/** server → agent: the code was entered; leases follow */
export const LoginDone = z.strictObject({
  v: FrameVersion,
  type: z.literal('login.done'),
  id: MessageId.optional(),
  account: AccountRef,
});
export type LoginDone = z.infer<typeof LoginDone>;

/** server → agent: the code expired, was denied, or the email did not match */
export const LoginFailed = z.strictObject({
  v: FrameVersion,
  type: z.literal('login.failed'),
  id: MessageId.optional(),
  reason: z.string().min(1).max(500),
});
export type LoginFailed = z.infer<typeof LoginFailed>;

/** agent → server: sign the current user out; the server revokes their leases ('signed-out') */
export const Logout = z.strictObject({
  v: FrameVersion,
  type: z.literal('logout'),
  id: MessageId.optional(),
});
export type Logout = z.infer<typeof Logout>;

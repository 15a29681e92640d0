// Either direction: something about a frame or a request was wrong. `ref` names the frame it
// answers when that frame had an id. The connection lives on unless the peer keeps at it.
import { z } from 'zod';
import { FrameVersion, MessageId } from './common.js';

/** Codes parseFrame produces; the peer answers them with an `error` frame. */
export const frameErrorCodes = ['FRAME_INVALID_JSON', 'FRAME_INVALID', 'FRAME_UNKNOWN_TYPE'] as const;
export type FrameErrorCode = (typeof frameErrorCodes)[number];

export const ErrorFrame = z.strictObject({
  v: FrameVersion,
  type: z.literal('error'),
  id: MessageId.optional(),
  /** a FrameErrorCode, or an ErrorCode from shared/errors.ts (NOT_ENTITLED, DEVICE_REVOKED…) */
  code: z.string().min(1).max(64).regex(/^[A-Z][A-Z0-9_]*$/),
  message: z.string().max(1000),
  /** id of the frame this error answers */
  ref: MessageId.optional(),
});
export type ErrorFrame = z.infer<typeof ErrorFrame>;

/**
 * WebSocket close codes: RFC 6455's where one fits (1001, 1008, 1011), 4000–4999 for what only
 * Seatkeeper means. Retryable vs final is decided here: an agent keeps reconnecting after a
 * retryable close and stops trying after a final one.
 */
export const closeCodes = {
  /** hello missing, late, or its signature did not verify */
  AUTH_FAILED: { code: 4001, final: false },
  /** the device was revoked by an admin; re-enrollment is needed */
  DEVICE_REVOKED: { code: 4003, final: true },
  /** the agent speaks a protocol version the server does not */
  PROTOCOL_UNSUPPORTED: { code: 4006, final: true },
  /** the peer broke the connection's rules: too many invalid frames, or too many frames at all */
  POLICY_VIOLATION: { code: 1008, final: false },
  /** the server failed while answering the hello; the next attempt may succeed */
  INTERNAL_ERROR: { code: 1011, final: false },
  /** the device enrolled again: connections with its previous key are cut off */
  REPLACED: { code: 4009, final: false },
  /** the server is shutting down */
  GOING_AWAY: { code: 1001, final: false },
  /** the operator removed the device's organization from the server: nothing to reconnect to */
  ORG_REMOVED: { code: 4010, final: true },
} as const;

export function isFinalClose(code: number): boolean {
  return Object.values(closeCodes).some((c) => c.code === code && c.final);
}

// All frames, by direction, and the one place a frame is parsed and encoded. Receivers call
// parseFrame where a frame arrives and work on typed values behind it.
import { z } from 'zod';
import { Ack } from './ack.js';
import { Challenge } from './challenge.js';
import { MessageId } from './common.js';
import { ErrorFrame, type FrameErrorCode } from './error.js';
import { Hello } from './hello.js';
import { Inventory, InventoryRequest } from './inventory.js';
import { LeaseGrant, LeaseRequest, LeaseRevoke } from './lease.js';
import { LeaseKeys } from './lease-keys.js';
import { LoginCode, LoginDone, LoginFailed, LoginStart, Logout } from './login.js';
import { MethodSwitch } from './method-switch.js';
import { Reconcile } from './reconcile.js';
import { UsageAck, UsageReport } from './usage.js';
import { MAX_FRAME_BYTES } from './version.js';
import { Welcome } from './welcome.js';

export const AgentToServer = z.discriminatedUnion('type', [
  Hello,
  Inventory,
  LoginStart,
  Logout,
  LeaseRequest,
  UsageReport,
  Ack,
  ErrorFrame,
]);
export type AgentToServer = z.infer<typeof AgentToServer>;

export const ServerToAgent = z.discriminatedUnion('type', [
  Challenge,
  Welcome,
  Reconcile,
  LeaseGrant,
  LeaseRevoke,
  LeaseKeys,
  MethodSwitch,
  LoginCode,
  LoginDone,
  LoginFailed,
  InventoryRequest,
  UsageAck,
  ErrorFrame,
]);
export type ServerToAgent = z.infer<typeof ServerToAgent>;

export type Direction = 'agent-to-server' | 'server-to-agent';
type MessageOf<D extends Direction> = D extends 'agent-to-server' ? AgentToServer : ServerToAgent;

export type AgentToServerType = AgentToServer['type'];
export type ServerToAgentType = ServerToAgent['type'];

/** Frames (server → agent) that carry an id and must be acked. */
export type ServerPush = Extract<ServerToAgent, { id: string }>;

export type ParseResult<M> =
  | { ok: true; msg: M }
  | {
      ok: false;
      code: FrameErrorCode;
      message: string;
      /** the frame's id, when one could be read, so the error can `ref` it */
      ref?: string;
      /** the frame's type, when one could be read */
      type?: string;
    };

const typesOf = {
  'agent-to-server': new Set<string>(AgentToServer.options.map((o) => o.shape.type.value)),
  'server-to-agent': new Set<string>(ServerToAgent.options.map((o) => o.shape.type.value)),
};

/** Parses one text frame received in `direction`. Never throws. */
export function parseFrame<D extends Direction>(direction: D, text: string): ParseResult<MessageOf<D>> {
  if (text.length > MAX_FRAME_BYTES) {
    return { ok: false, code: 'FRAME_INVALID', message: `frame larger than ${MAX_FRAME_BYTES} bytes` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'FRAME_INVALID_JSON', message: 'frame is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, code: 'FRAME_INVALID', message: 'frame is not a JSON object' };
  }
  const rec = raw as Record<string, unknown>;
  // Only an id the error frame can carry back: a bad one would make the answer invalid too.
  const ref = MessageId.safeParse(rec.id).success ? (rec.id as string) : undefined;
  const type = typeof rec.type === 'string' ? rec.type.slice(0, 64) : undefined;
  const base = { ...(ref !== undefined ? { ref } : {}), ...(type !== undefined ? { type } : {}) };
  if (type === undefined) {
    return { ok: false, code: 'FRAME_INVALID', message: 'frame has no string "type"', ...base };
  }
  if (!typesOf[direction].has(type)) {
    return { ok: false, code: 'FRAME_UNKNOWN_TYPE', message: `unknown frame type "${type}"`, ...base };
  }
  const schema = direction === 'agent-to-server' ? AgentToServer : ServerToAgent;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(frame)';
    return { ok: false, code: 'FRAME_INVALID', message: `${type}: ${where}: ${issue?.message ?? 'invalid'}`, ...base };
  }
  return { ok: true, msg: parsed.data as MessageOf<D> };
}

/** Message without the envelope version; encodeFrame adds `v`. */
export type Outgoing<M> = M extends unknown ? Omit<M, 'v'> & { v?: 1 } : never;

/** Encodes one frame. The message is typed, so it is not validated again here. */
export function encodeFrame(msg: Outgoing<AgentToServer> | Outgoing<ServerToAgent>): string {
  const { v: _v, ...rest } = msg as { v?: 1 };
  return JSON.stringify({ v: 1, ...rest });
}

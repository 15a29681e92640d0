// Frames as an agent of an older protocol understands them (see shared/protocol/version.ts). The
// gateway builds every frame in the current shape once; only the agents that need it get it
// rewritten, each rewrite encoded once per frame.
import { encodeFrame, switchParts, type Outgoing, type RevokeReason, type ServerToAgent } from '../../shared/protocol/index.js';

type Frame = Outgoing<ServerToAgent>;

/** Reasons protocol 1 did not have, told as the nearest one it had. */
const V1_REASON: Partial<Record<RevokeReason, RevokeReason>> = { 'team-removed': 'unassigned' };
const v1Reason = (r: RevokeReason): RevokeReason => V1_REASON[r] ?? r;

/** The frames that say `frame` to an agent of `protocol`, in order. */
export function framesFor(frame: Frame, protocol: number): Frame[] {
  if (protocol >= 2) return [frame];
  switch (frame.type) {
    case 'method.switch':
      return switchParts(frame).map((f) => (f.type === 'lease.revoke' ? { ...f, reason: v1Reason(f.reason) } : f));
    case 'lease.revoke':
      return [{ ...frame, reason: v1Reason(frame.reason) }];
    case 'reconcile':
      return [{ ...frame, revoke: frame.revoke.map((r) => ({ ...r, reason: v1Reason(r.reason) })) }];
    default:
      return [frame];
  }
}

/** A frame encoded at most once per protocol, however many sockets it goes to. */
export class EncodedFrame {
  readonly frame: Frame;
  readonly #texts = new Map<number, string[]>();

  constructor(frame: Frame) {
    this.frame = frame;
  }

  textsFor(protocol: number): string[] {
    const key = protocol >= 2 ? 2 : 1;
    let t = this.#texts.get(key);
    if (!t) this.#texts.set(key, (t = framesFor(this.frame, key).map(encodeFrame)));
    return t;
  }
}

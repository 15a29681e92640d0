// Every message schema of shared/protocol, fed generated and malformed frames through parseFrame:
// it never throws; a valid message comes back whole; anything else is a typed error whose `ref`
// the error frame answering it can carry.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageId } from '../../shared/protocol/common.js';
import { ErrorFrame, frameErrorCodes } from '../../shared/protocol/error.js';
import { AgentToServer, encodeFrame, parseFrame, ServerToAgent, type Direction } from '../../shared/protocol/messages.js';
import { agentToServer, garbageText, malformed, serverToAgent } from './protocol-arbitraries.js';

const directions: Array<[Direction, Record<string, fc.Arbitrary<Record<string, unknown>>>, typeof AgentToServer | typeof ServerToAgent]> = [
  ['agent-to-server', agentToServer, AgentToServer],
  ['server-to-agent', serverToAgent, ServerToAgent],
];

/** parseFrame's contract for any text at all. */
function expectTyped(direction: Direction, text: string): void {
  let r!: ReturnType<typeof parseFrame>;
  expect(() => (r = parseFrame(direction, text))).not.toThrow();
  if (r.ok) {
    // Whatever was accepted is a message the schema allows, and survives encoding again.
    expect(parseFrame(direction, encodeFrame(r.msg as never))).toEqual(r);
    return;
  }
  expect(frameErrorCodes).toContain(r.code);
  expect(typeof r.message).toBe('string');
  // The answer is an error frame naming the bad frame: it must be a valid frame itself.
  const answer = { v: 1, type: 'error', code: r.code, message: r.message.slice(0, 1000), ...(r.ref !== undefined ? { ref: r.ref } : {}) };
  expect(ErrorFrame.safeParse(answer).success, JSON.stringify(answer)).toBe(true);
  if (r.ref !== undefined) expect(MessageId.safeParse(r.ref).success).toBe(true);
}

describe('protocol fuzz: parseFrame', () => {
  it('has a generator for every message type of both directions', () => {
    expect(Object.keys(agentToServer).sort()).toEqual(AgentToServer.options.map((o) => o.shape.type.value).sort());
    expect(Object.keys(serverToAgent).sort()).toEqual(ServerToAgent.options.map((o) => o.shape.type.value).sort());
  });

  describe.each(directions)('%s', (direction, arbitraries, union) => {
    const types = Object.keys(arbitraries);

    it.each(types)('accepts generated valid %s frames and returns them unchanged', (type) => {
      fc.assert(
        fc.property(arbitraries[type]!, (m) => {
          expect(union.safeParse(m).success).toBe(true);
          expect(parseFrame(direction, JSON.stringify(m))).toEqual({ ok: true, msg: m });
        }),
        { numRuns: 150 },
      );
    });

    it.each(types)('answers malformed %s frames with a typed error, never a throw', (type) => {
      fc.assert(
        fc.property(malformed(arbitraries[type]!, types), (t) => expectTyped(direction, t)),
        { numRuns: 400 },
      );
    });

    it('answers garbage, huge and deeply nested text with a typed error', () => {
      fc.assert(
        fc.property(garbageText, (t) => {
          expectTyped(direction, t);
          expect(parseFrame(direction, t).ok).toBe(false);
        }),
        { numRuns: 500 },
      );
    });
  });

  it("refuses the other direction's messages as unknown types", () => {
    const serverOnly = Object.keys(serverToAgent).filter((t) => t !== 'error');
    fc.assert(
      fc.property(fc.constantFrom(...serverOnly).chain((t) => serverToAgent[t as keyof typeof serverToAgent]), (m) => {
        expect(parseFrame('agent-to-server', JSON.stringify(m))).toMatchObject({ ok: false, code: 'FRAME_UNKNOWN_TYPE' });
      }),
      { numRuns: 200 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { processAlive } from './status.js';

const failing = (code: string) => () => {
  throw Object.assign(new Error(code), { code });
};

describe('processAlive (is the daemon that wrote status.json still running?)', () => {
  it('is true for a running process, this one', () => {
    expect(processAlive(process.pid)).toBe(true);
  });
  it("is true for another user's process (EPERM: it exists), false for a gone one (ESRCH)", () => {
    expect(processAlive(4242, failing('EPERM'))).toBe(true);
    expect(processAlive(4242, failing('ESRCH'))).toBe(false);
  });
  it('is false for a pid that is no pid, without asking the system', () => {
    const asked: number[] = [];
    for (const pid of [0, -1, 1.5, Number.NaN]) expect(processAlive(pid, (p) => asked.push(p))).toBe(false);
    expect(asked).toEqual([]);
  });
});

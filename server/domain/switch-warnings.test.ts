// Who is warned before a scheduled method switch runs, and when: the pure rule.
import { describe, expect, it } from 'vitest';
import type { MethodSwitch } from './model.js';
import { reminderDue, takeWarnings } from './switch-warnings.js';

const H = 3600_000;
const sw = (over: Partial<MethodSwitch> = {}): MethodSwitch => ({
  id: 'swi_1',
  lineId: 'lin_1',
  from: 'serial',
  to: 'named-user',
  autoAssign: false,
  runAt: 100 * H,
  status: 'scheduled',
  createdBy: 'acc_admin',
  createdAt: 0,
  appliedAt: null,
  ...over,
});
const ann = { accountId: 'acc_ann', email: 'ann@acme.test', name: 'Ann' };
const bob = { accountId: 'acc_bob', email: 'bob@acme.test', name: 'Bob' };

describe('reminderDue', () => {
  it.each([
    ['is not due before the window', 75 * H, {}, false],
    ['is due as the window opens', 76 * H, {}, true],
    ['is due inside the window', 99 * H, {}, true],
    ['is not due at run time (the switch runs instead)', 100 * H, {}, false],
    ['is not due after the pass ran', 90 * H, { remindedAt: 80 * H }, false],
    ['is not due for a cancelled switch', 90 * H, { status: 'cancelled' as const }, false],
    ['is not due for a switch applied at once', 90 * H, { runAt: null }, false],
  ])('%s', (_what, now, over, due) => {
    expect(reminderDue(sw(over), now, 24 * H)).toBe(due);
  });
});

describe('takeWarnings', () => {
  it('warns each person once per kind and marks when', () => {
    const s = sw();
    expect(takeWarnings(s, [ann], 'scheduled', 1 * H, 24 * H)).toEqual([ann]);
    expect(takeWarnings(s, [ann, bob], 'scheduled', 2 * H, 24 * H)).toEqual([bob]);
    expect(takeWarnings(s, [ann, bob], 'reminder', 80 * H, 24 * H)).toEqual([ann, bob]);
    expect(takeWarnings(s, [ann, bob], 'reminder', 81 * H, 24 * H)).toEqual([]);
    expect(s.warned).toEqual({ acc_ann: { scheduled: 1 * H, reminder: 80 * H }, acc_bob: { scheduled: 2 * H, reminder: 80 * H } });
  });

  it('does not remind someone told at scheduling inside the reminder window', () => {
    const s = sw();
    takeWarnings(s, [ann], 'scheduled', 90 * H, 24 * H);
    expect(takeWarnings(s, [ann, bob], 'reminder', 91 * H, 24 * H)).toEqual([bob]);
  });
});

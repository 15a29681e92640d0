// What the push metrics are told by the outbox: each push kept once, each ack that settles one,
// and nothing for a push dropped, replaced, forgotten or acked twice.
import { describe, expect, it } from 'vitest';
import { Outbox, type PushEntry, type PushKind } from './outbox.js';

const entry = (id: string, kind: PushKind = 'lease.grant', productCode?: string): PushEntry => ({ id, kind, sentAt: 0, rebuild: () => null, ...(productCode ? { productCode } : {}) });

function observed() {
  const box = new Outbox();
  const events: Array<[string, PushKind, number?]> = [];
  box.observer = { sent: (kind) => events.push(['sent', kind]), acked: (kind, seconds) => events.push(['acked', kind, seconds]) };
  return { box, events };
}

describe('outbox observer', () => {
  it('is told of a push kept and of its ack, with the seconds in between', () => {
    const { box, events } = observed();
    box.add('org/dev', entry('psh_1', 'method.switch'));
    expect(box.ack('org/dev', 'psh_1')).toBe(true);
    expect(events).toEqual([['sent', 'method.switch'], ['acked', 'method.switch', expect.any(Number)]]);
    expect(events[1]![2]).toBeGreaterThanOrEqual(0);
  });

  it('counts an ack once, and never an ack of an id it does not hold', () => {
    const { box, events } = observed();
    box.add('org/dev', entry('psh_1'));
    box.ack('org/dev', 'psh_1');
    expect(box.ack('org/dev', 'psh_1')).toBe(false);
    expect(box.ack('org/dev', 'psh_forged')).toBe(false);
    expect(box.ack('org/other', 'psh_1')).toBe(false);
    expect(events.filter((e) => e[0] === 'acked')).toHaveLength(1);
  });

  it('does not count a dropped, replaced or forgotten push as acked', () => {
    const { box, events } = observed();
    box.add('org/dev', entry('psh_1', 'lease.grant', 'ACAD'));
    box.add('org/dev', entry('psh_2', 'lease.revoke', 'ACAD'));
    expect(box.has('org/dev', 'psh_1')).toBe(false);
    box.drop('org/dev', 'psh_2');
    box.add('org/dev', entry('psh_3', 'lease.grant'));
    box.afterReconnect('org/dev');
    box.add('org/dev', entry('psh_4', 'inventory.request'));
    box.forgetDevice('org/dev');
    expect(events.map((e) => e[0])).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(box.size('org/dev')).toBe(0);
  });
});

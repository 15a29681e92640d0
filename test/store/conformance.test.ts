// One suite, run against every Store implementation: what the server relies on must hold for each.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SeatkeeperError } from '../../shared/errors.js';
import { auditEvent } from '../../server/domain/audit.js';
import { rollUpUsage } from '../../server/domain/reports.js';
import { randomId } from '../../server/core/ids.js';
import { makeStore, newOrgDoc, type StoreKind, type StoreUnderTest } from './store-fixtures.js';

describe.each<StoreKind>(['lowdb', 'memory', 'postgres'])('%s store', (kind) => {
  let t: StoreUnderTest;
  let orgId: string;
  beforeEach(async () => {
    t = await makeStore(kind);
    orgId = (await t.store.tx((c) => c.createOrg(newOrgDoc()))).org.id;
  });
  afterEach(() => t.cleanup());

  it('makes a committed change visible and returns the function result', async () => {
    const result = await t.store.tx((c) => {
      c.org(orgId)!.members.acc_1 = { accountId: 'acc_1', role: 'member', joinedAt: 5 };
      c.global().orgs[orgId] = { id: orgId, name: 'x' };
      return 42;
    });
    expect(result).toBe(42);
    expect(t.store.org(orgId)!.members.acc_1).toEqual({ accountId: 'acc_1', role: 'member', joinedAt: 5 });
    expect(t.store.global().orgs[orgId]).toEqual({ id: orgId, name: 'x' });
    expect(t.store.orgIds()).toContain(orgId);
  });

  it('leaves no trace of a refused transaction: no change, no write, no audit event', async () => {
    // A small committed change, and the writes it costs this store.
    const commit = async (id: string) => {
      const w = t.faults.writes;
      await t.store.tx((c) => void (c.org(orgId)!.members[id] = { accountId: id, role: 'member', joinedAt: 1 }));
      return t.faults.writes - w;
    };
    const oneCommit = await commit('acc_probe_1');
    const before = JSON.stringify(t.store.org(orgId));
    const writes = t.faults.writes;
    const refused = t.store.tx((c) => {
      c.org(orgId);
      c.global();
      throw new SeatkeeperError('SEAT_LIMIT_REACHED', 'full');
    });
    await expect(refused).rejects.toMatchObject({ code: 'SEAT_LIMIT_REACHED' });
    expect(JSON.stringify(t.store.org(orgId))).toBe(before);
    // Transactions run one after another: once a later one has committed, anything the refused one
    // had set going is written and counted. Only the later one's own writes are.
    await commit('acc_probe_2');
    expect(t.faults.writes - writes).toBe(oneCommit);
    expect(await t.store.queryAudit(orgId, {})).toEqual([]);
  });

  it('drops the audit events and the organization a transaction made before it threw', async () => {
    const stray = newOrgDoc();
    const refused = t.store.tx((c) => {
      c.audit(auditEvent(randomId, 1, orgId, 'acc_x', 'member.add', 'acc_refused'));
      c.createOrg(stray);
      throw new SeatkeeperError('CONFLICT', 'refused after auditing');
    });
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(t.store.org(stray.org.id)).toBeUndefined();
    await t.store.tx((c) => c.audit(auditEvent(randomId, 2, orgId, 'acc_x', 'member.add', 'acc_kept')));
    expect((await t.store.queryAudit(orgId, {})).map((e) => e.target)).toEqual(['acc_kept']);
  });

  it('answers undefined for an unknown organization', async () => {
    expect(t.store.org('org_nope')).toBeUndefined();
    expect(await t.store.tx((c) => c.org('org_nope'))).toBeUndefined();
  });

  it('lets 200 concurrent transactions share far fewer than 200 flushes, all durable', async () => {
    const writes = t.faults.writes;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.store.tx((c) => {
          c.org(orgId)!.members[`acc_${i}`] = { accountId: `acc_${i}`, role: 'member', joinedAt: i };
          c.audit(auditEvent(randomId, i, orgId, 'acc_x', 'member.add', `acc_${i}`));
        }),
      ),
    );
    const used = t.faults.writes - writes;
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThan(50);
    expect(Object.keys(t.store.org(orgId)!.members)).toHaveLength(200);
    expect(await t.store.queryAudit(orgId, { limit: 1000 })).toHaveLength(200);
  });

  it('groups transactions that arrive while a flush runs into the next flush', async () => {
    const writes = t.faults.writes;
    const pending: Array<Promise<void>> = [];
    for (let wave = 0; wave < 10; wave++) {
      for (let i = 0; i < 20; i++) pending.push(t.store.tx((c) => void (c.org(orgId)!.org.name = `n${wave}.${i}`)));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(pending);
    expect(t.faults.writes - writes).toBeLessThan(50);
    expect(t.store.org(orgId)!.org.name).toBe('n9.19');
  });

  it('queries the audit log newest first by time range, actor, target and action, with a limit', async () => {
    await t.store.tx((c) => {
      for (let i = 0; i < 10; i++) {
        c.audit(auditEvent(randomId, 1000 + i, orgId, i % 2 ? 'acc_odd' : 'acc_even', i < 5 ? 'assignment.create' : 'assignment.delete', `asg_${i % 3}`, null, { i }));
      }
    });
    const at = (q: Parameters<typeof t.store.queryAudit>[1]) => t.store.queryAudit(orgId, q).then((es) => es.map((e) => e.at - 1000));
    expect(await at({})).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(await at({ from: 1003, to: 1005 })).toEqual([5, 4, 3]);
    expect(await at({ actor: 'acc_odd' })).toEqual([9, 7, 5, 3, 1]);
    expect(await at({ target: 'asg_0' })).toEqual([9, 6, 3, 0]);
    expect(await at({ action: 'assignment.create', actor: 'acc_even' })).toEqual([4, 2, 0]);
    expect(await at({ limit: 3 })).toEqual([9, 8, 7]);
    expect((await t.store.queryAudit(orgId, { target: 'asg_1' }))[0]).toMatchObject({ orgId, after: { i: 7 } });
    expect(await t.store.queryAudit(newOrgDoc().org.id, {})).toEqual([]);
  });

  it('rejects a transaction whose write fails with STORAGE_UNAVAILABLE, restores memory, and recovers', async () => {
    await t.store.tx((c) => void (c.org(orgId)!.org.name = 'committed'));
    t.faults.failWrites = true;
    const failing = Array.from({ length: 5 }, (_, i) =>
      t.store.tx((c) => {
        c.org(orgId)!.members[`acc_${i}`] = { accountId: `acc_${i}`, role: 'member', joinedAt: i };
        c.audit(auditEvent(randomId, i, orgId, 'acc_x', 'member.add', `acc_${i}`));
      }),
    );
    for (const f of failing) {
      const err = await f.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SeatkeeperError);
      expect(err).toMatchObject({ code: 'STORAGE_UNAVAILABLE', status: 503, retryable: true });
    }
    expect(t.store.org(orgId)!.members).toEqual({});
    expect(t.store.org(orgId)!.org.name).toBe('committed');
    expect(await t.store.queryAudit(orgId, {})).toEqual([]);

    t.faults.failWrites = false;
    await t.store.tx((c) => void (c.org(orgId)!.members.acc_ok = { accountId: 'acc_ok', role: 'member', joinedAt: 1 }));
    expect(Object.keys(t.store.org(orgId)!.members)).toEqual(['acc_ok']);
  });

  it('rejects the transaction when the audit log cannot be appended, changing nothing', async () => {
    t.faults.failAppends = true;
    const r = t.store.tx((c) => {
      c.org(orgId)!.org.name = 'never';
      c.audit(auditEvent(randomId, 1, orgId, 'acc_x', 'org.rename', orgId));
    });
    await expect(r).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect(t.store.org(orgId)!.org.name).not.toBe('never');
    t.faults.failAppends = false;
    await t.store.tx((c) => c.audit(auditEvent(randomId, 2, orgId, 'acc_x', 'org.rename', orgId)));
    expect((await t.store.queryAudit(orgId, {})).map((e) => e.at)).toEqual([2]);
  });

  it('forgets an organization whose creation could not be written', async () => {
    t.faults.failWrites = true;
    const doc = newOrgDoc();
    await expect(t.store.tx((c) => c.createOrg(doc))).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect(t.store.org(doc.org.id)).toBeUndefined();
    expect(t.store.orgIds()).not.toContain(doc.org.id);
    t.faults.failWrites = false;
    await t.store.tx((c) => c.createOrg(newOrgDoc(doc.org.id)));
    expect(t.store.org(doc.org.id)?.org.id).toBe(doc.org.id);
  });

  it('keeps the folded usage days durable, folds a day once, and drops rows past the days kept', async () => {
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
    await t.store.tx((c) => {
      const doc = c.org(orgId)!;
      doc.contracts.c1 = { id: 'c1', number: 'C-1', serials: [], startsAt: 0, endsAt: day('2030-01-01'), lines: [{ id: 'l1', productCode: 'CAD', seats: 5, method: 'named-user' }] } as never;
      doc.usage.push({ at: day('2026-03-01') + 60_000, inUse: { CAD: 2 }, devicesOnline: 2 }, { at: day('2026-03-01') + 120_000, inUse: { CAD: 4 }, devicesOnline: 4 });
    });
    expect(await t.store.tx((c) => rollUpUsage(c.org(orgId)!, day('2026-03-02') + 1))).toEqual(['2026-03-01']);
    const writes = t.faults.writes;
    // A second run (the job twice, or a second node): nothing to fold, nothing written.
    expect(await t.store.tx((c) => rollUpUsage(c.org(orgId)!, day('2026-03-02') + 2))).toEqual([]);
    await t.store.tx((c) => void (c.org(orgId)!.members.acc_after = { accountId: 'acc_after', role: 'member', joinedAt: 1 }));
    expect(t.faults.writes - writes).toBeLessThanOrEqual(1);
    const row = { day: '2026-03-01', productCode: 'CAD', peak: 4, sum: 6, samples: 2, owned: 5 };
    expect(t.store.org(orgId)!.usageDays).toEqual({ '2026-03-01/CAD': row });
    if (t.reopen) {
      const again = t.reopen();
      await again.open();
      try {
        expect(again.org(orgId)!.usageDays).toEqual({ '2026-03-01/CAD': row });
      } finally {
        await again.close();
      }
    }
    // 90 days on, the row is past the days kept: deleted, and the deletion is durable too.
    await t.store.tx((c) => rollUpUsage(c.org(orgId)!, day('2026-03-01') + 90 * 86_400_000));
    expect(t.store.org(orgId)!.usageDays).toEqual({});
    if (t.reopen) {
      const again = t.reopen();
      await again.open();
      try {
        expect(again.org(orgId)!.usageDays ?? {}).toEqual({});
      } finally {
        await again.close();
      }
    }
  });

  it('refuses transactions after close, and close is safe to call twice', async () => {
    await t.store.close();
    await t.store.close();
    await expect(t.store.tx(() => 1)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
  });
});

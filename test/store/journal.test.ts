// The lowdb store journals each flush as one line of changed records, and folds the journal into
// a snapshot when it has grown: these prove a restart sees exactly what was acknowledged.
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLowdbStore, StoreCorruptError } from '../../server/store/lowdb-store.js';
import { testCommitOptions } from '../helpers/store-options.js';
import type { DocStore } from '../../server/store/doc-store.js';
import { deviceRecord, newOrgDoc } from './store-fixtures.js';

let dir: string;
let store: DocStore;
let orgId: string;
const orgFile = () => join(dir, 'orgs', `${orgId}.json`);
const journalFile = () => join(dir, 'orgs', `${orgId}.journal.jsonl`);

const device = (id: string) => deviceRecord(id, { enrolledAt: 1 });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sk-journal-'));
  store = createLowdbStore(dir, testCommitOptions);
  await store.open();
  orgId = (await store.tx((t) => t.createOrg(newOrgDoc()))).org.id;
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function reopen(): Promise<DocStore> {
  await store.close();
  store = createLowdbStore(dir, testCommitOptions);
  await store.open();
  return store;
}

describe('lowdb journal', () => {
  it('writes a small change as one journal line, not a new snapshot, and replays it on open', async () => {
    await store.tx((t) => {
      const doc = t.org(orgId)!;
      for (let i = 0; i < 200; i++) doc.devices[`dev_${i}`] = device(`dev_${i}`);
    });
    const snapshotBefore = await readFile(orgFile(), 'utf8');
    await store.tx((t) => void (t.org(orgId)!.devices.dev_7!.lastSeenAt = 42));
    expect(await readFile(orgFile(), 'utf8')).toBe(snapshotBefore);
    const lines = (await readFile(journalFile(), 'utf8')).trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as { c: Array<{ k: string; i?: string }> };
    expect(last.c.map((c) => `${c.k}/${c.i}`)).toEqual(['devices/dev_7']);
    expect(lines.at(-1)!.length).toBeLessThan(1000);

    const expected = JSON.parse(JSON.stringify(store.org(orgId)));
    expect((await reopen()).org(orgId)).toEqual(expected);
    expect(store.org(orgId)!.devices.dev_7!.lastSeenAt).toBe(42);
  });

  it('folds a grown journal into a snapshot, so the journal stays bounded', async () => {
    for (let i = 0; i < 120; i++) {
      await store.tx((t) => {
        const d = device(`dev_${i}`);
        d.inventory = Array.from({ length: 20 }, (_, n) => ({ productCode: `P${n}`, version: '1'.repeat(40), path: '/opt/'.repeat(20), serial: null }));
        t.org(orgId)!.devices[d.id] = d;
      });
    }
    const snapshotSize = (await stat(orgFile())).size;
    const journalSize = await stat(journalFile()).then((s) => s.size, () => 0);
    expect(journalSize).toBeLessThanOrEqual(Math.max(256 * 1024, snapshotSize) + 8 * 1024);
    expect((JSON.parse(await readFile(orgFile(), 'utf8')) as { walSeq?: number }).walSeq).toBeGreaterThan(0);
    const expected = JSON.parse(JSON.stringify(store.org(orgId)));
    expect(Object.keys(expected.devices)).toHaveLength(120);
    expect((await reopen()).org(orgId)).toEqual(expected);
  });

  it('cuts off a journal line torn by a crash (never acknowledged) and keeps the rest', async () => {
    await store.tx((t) => void (t.org(orgId)!.org.name = 'kept'));
    await store.close();
    await appendFile(journalFile(), '{"s":99,"c":[{"k":"org","i":"name","v":"tor');
    store = createLowdbStore(dir, testCommitOptions);
    await store.open();
    expect(store.org(orgId)!.org.name).toBe('kept');
    expect((await readFile(journalFile(), 'utf8')).endsWith('\n')).toBe(true);
    await store.tx((t) => void (t.org(orgId)!.org.name = 'after'));
    expect((await reopen()).org(orgId)!.org.name).toBe('after');
  });

  it('refuses to open over a journal damaged before its end, and leaves it as it was', async () => {
    await store.tx((t) => void (t.org(orgId)!.org.name = 'one'));
    await store.close();
    const text = await readFile(journalFile(), 'utf8');
    await writeFile(journalFile(), 'garbage\n' + text);
    store = createLowdbStore(dir, testCommitOptions);
    const err = await store.open().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreCorruptError);
    expect((err as Error).message).toContain(journalFile());
    expect(await readFile(journalFile(), 'utf8')).toBe('garbage\n' + text);
    await rm(journalFile());
    store = createLowdbStore(dir, testCommitOptions);
    await store.open();
  });
});

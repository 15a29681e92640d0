// What only the file store can promise: data survives a restart, a damaged file stops the server
// without being touched, and a failed write leaves memory equal to disk.
import { appendFile, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEvent } from '../../server/domain/audit.js';
import { randomId } from '../../server/core/ids.js';
import { createLowdbStore, readStoredDoc, StoreCorruptError } from '../../server/store/lowdb-store.js';
import { testCommitOptions } from '../helpers/store-options.js';
import type { DocStore } from '../../server/store/doc-store.js';
import { newOrgDoc } from './store-fixtures.js';

let dir: string;
let store: DocStore;
let orgId: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sk-lowdb-'));
  store = createLowdbStore(dir, testCommitOptions);
  await store.open();
  orgId = (
    await store.tx((t) => {
      const doc = t.createOrg(newOrgDoc());
      t.global().orgs[doc.org.id] = { id: doc.org.id, name: doc.org.name };
      t.global().serials['SN-1'] = doc.org.id;
      return doc;
    })
  ).org.id;
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const orgFile = () => join(dir, 'orgs', `${orgId}.json`);
// What a server starting on the directory would load (snapshot plus journal).
const readJson = (path: string) => readStoredDoc<{ schema: number }>(path) as Promise<unknown>;

describe('lowdb store', () => {
  it('keeps every document and the audit log across close and reopen', async () => {
    await store.tx((t) => {
      t.org(orgId)!.members.acc_1 = { accountId: 'acc_1', role: 'owner', joinedAt: 7 };
      t.audit(auditEvent(randomId, 7, orgId, 'acc_1', 'org.claim', orgId, null, { claimedBy: 'acc_1' }));
    });
    const global = structuredClone(store.global());
    const org = structuredClone(store.org(orgId));
    await store.close();
    store = createLowdbStore(dir, testCommitOptions);
    await store.open();
    expect(store.global()).toEqual(global);
    expect(store.org(orgId)).toEqual(org);
    expect(store.orgIds()).toEqual([orgId]);
    expect(await store.queryAudit(orgId, {})).toMatchObject([{ action: 'org.claim', after: { claimedBy: 'acc_1' } }]);
  });

  it.each([
    ['garbage', 'this is not json {'],
    ['a truncated document', '{"schema":1,"org":{"id":'],
    ['JSON of another kind', '[1,2,3]'],
    ['another schema version', '{"schema":2}'],
  ])('refuses to open over an organization file holding %s, naming it and leaving it byte-identical', async (_label, content) => {
    await store.close();
    await writeFile(orgFile(), content);
    const bytes = await readFile(orgFile());
    const reopened = createLowdbStore(dir, testCommitOptions);
    const err = await reopened.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreCorruptError);
    expect((err as StoreCorruptError).path).toBe(orgFile());
    expect((err as Error).message).toContain(orgFile());
    expect(await readFile(orgFile())).toEqual(bytes);
    store = reopened;
  });

  it('refuses to open over a damaged global document', async () => {
    await store.close();
    await writeFile(join(dir, 'global.json'), '\u0000\u0000\u0000');
    const reopened = createLowdbStore(dir, testCommitOptions);
    await expect(reopened.open()).rejects.toThrow(/global\.json/);
    expect(await readFile(join(dir, 'global.json'), 'utf8')).toBe('\u0000\u0000\u0000');
    store = reopened;
  });

  it('skips a torn last audit line after a crash instead of refusing to answer', async () => {
    await store.tx((t) => t.audit(auditEvent(randomId, 1, orgId, 'a', 'x.one', 't')));
    await appendFile(join(dir, 'orgs', `${orgId}.audit.jsonl`), '{"id":"aud_torn","at":2,"ac');
    expect((await store.queryAudit(orgId, {})).map((e) => e.action)).toEqual(['x.one']);
  });

  it('rejects a write to a vanished directory with STORAGE_UNAVAILABLE; memory equals disk; later writes succeed', async () => {
    await store.tx((t) => {
      t.org(orgId)!.org.name = 'before';
      t.audit(auditEvent(randomId, 1, orgId, 'a', 'org.rename', orgId));
    });
    // Tests run as root, so permissions do not stop writes: replace the directory with a file.
    await rename(join(dir, 'orgs'), join(dir, 'orgs.away'));
    await writeFile(join(dir, 'orgs'), 'not a directory');
    const failed = await Promise.allSettled(
      Array.from({ length: 3 }, (_, i) =>
        store.tx((t) => {
          t.org(orgId)!.org.name = `during-${i}`;
          t.audit(auditEvent(randomId, 2, orgId, 'a', 'org.rename', orgId));
        }),
      ),
    );
    for (const f of failed) {
      expect(f.status).toBe('rejected');
      expect((f as PromiseRejectedResult).reason).toMatchObject({ code: 'STORAGE_UNAVAILABLE', status: 503 });
    }
    await rm(join(dir, 'orgs'));
    await rename(join(dir, 'orgs.away'), join(dir, 'orgs'));
    expect(store.org(orgId)!.org.name).toBe('before');
    expect(await readJson(orgFile())).toEqual(store.org(orgId));
    expect((await store.queryAudit(orgId, {})).map((e) => e.at)).toEqual([1]);

    await store.tx((t) => {
      t.org(orgId)!.org.name = 'after';
      t.audit(auditEvent(randomId, 3, orgId, 'a', 'org.rename', orgId));
    });
    expect(await readJson(orgFile())).toEqual(store.org(orgId));
    expect((await store.queryAudit(orgId, {})).map((e) => e.at)).toEqual([3, 1]);
    expect((await readdir(join(dir, 'orgs'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('commits a change to the global document while organization files cannot be written', async () => {
    await rename(join(dir, 'orgs'), join(dir, 'orgs.away'));
    await writeFile(join(dir, 'orgs'), 'not a directory');
    await expect(store.tx((t) => void (t.global().serials['SN-2'] = orgId))).resolves.toBeUndefined();
    await expect(store.tx((t) => void (t.org(orgId)!.org.name = 'never'))).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    await rm(join(dir, 'orgs'));
    await rename(join(dir, 'orgs.away'), join(dir, 'orgs'));
    expect(((await readJson(join(dir, 'global.json'))) as { serials: Record<string, string> }).serials['SN-2']).toBe(orgId);
    expect(store.org(orgId)!.org.name).not.toBe('never');
  });
});

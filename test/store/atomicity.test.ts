// One transaction is one commit on the embedded store: a change to the global document and an
// organization lands whole or not at all, and its audit event exists exactly when the change does,
// across a crash between the two documents' lines, between a line and the audit file, and a real
// kill -9 of a process in the middle of committing.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditEvent } from '../../server/domain/audit.js';
import { randomId } from '../../server/core/ids.js';
import { createLowdbStore } from '../../server/store/lowdb-store.js';
import type { DocStore } from '../../server/store/doc-store.js';
import { buildBundle, type BuiltServer } from '../helpers/built-server.js';
import { testCommitOptions } from '../helpers/store-options.js';
import { newOrgDoc } from './store-fixtures.js';

const dirs: string[] = [];
const stores: DocStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function fresh(): Promise<{ dir: string; store: DocStore; orgId: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sk-atomic-'));
  dirs.push(dir);
  const store = await open(dir);
  const orgId = (await store.tx((t) => t.createOrg(newOrgDoc()))).org.id;
  // The global document's first commit: from here on both documents have a snapshot.
  await store.tx((t) => void (t.global().orgs[orgId] = { id: orgId, name: 'Org' }));
  return { dir, store, orgId };
}

async function open(dir: string): Promise<DocStore> {
  const store = createLowdbStore(dir, testCommitOptions);
  stores.push(store);
  await store.open();
  return store;
}

/** The text of a file without its last line. */
async function dropLastLine(path: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  await writeFile(path, text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1));
}

const register = (orgId: string, id: string) => (t: Parameters<Parameters<DocStore['tx']>[0]>[0]) => {
  t.global().accounts[id] = { id, email: `${id}@x.test`, aliases: [], name: id, passwordHash: null, status: 'active', createdAt: 1 };
  t.org(orgId)!.members[id] = { accountId: id, role: 'member', joinedAt: 1 };
  t.audit(auditEvent(randomId, 1, orgId, id, 'member.join', id));
};

describe('embedded store atomicity', () => {
  it('drops a transaction over two documents whose second line never reached the disk, from both', async () => {
    const { dir, store, orgId } = await fresh();
    await store.tx(register(orgId, 'acc_kept'));
    await store.tx(register(orgId, 'acc_cut'));
    await store.close();
    // The crash came after the global line and before the organization's (so before the audit file).
    await dropLastLine(join(dir, 'orgs', `${orgId}.journal.jsonl`));
    await dropLastLine(join(dir, 'orgs', `${orgId}.audit.jsonl`));
    const reopened = await open(dir);
    expect(Object.keys(reopened.global().accounts)).toEqual(['acc_kept']);
    expect(Object.keys(reopened.org(orgId)!.members)).toEqual(['acc_kept']);
    expect((await reopened.queryAudit(orgId, {})).map((e) => e.target)).toEqual(['acc_kept']);
    expect(await readFile(join(dir, 'global.journal.jsonl'), 'utf8')).not.toContain('acc_cut');
  });

  it('writes the audit event of a committed change that a crash kept out of the audit file, once', async () => {
    const { dir, store, orgId } = await fresh();
    await store.tx(register(orgId, 'acc_1'));
    await store.tx(register(orgId, 'acc_2'));
    await store.close();
    const auditFile = join(dir, 'orgs', `${orgId}.audit.jsonl`);
    await dropLastLine(auditFile);
    // and a torn tail, as a kill in the middle of the audit append leaves
    await writeFile(auditFile, (await readFile(auditFile, 'utf8')) + '{"id":"aud_to');
    const reopened = await open(dir);
    expect((await reopened.queryAudit(orgId, {})).map((e) => e.target)).toEqual(['acc_2', 'acc_1']);
    await reopened.close();
    const again = await open(dir);
    expect((await again.queryAudit(orgId, {})).map((e) => e.target)).toEqual(['acc_2', 'acc_1']);
  });

  it('takes back every line of a batch when one document cannot be written', async () => {
    const { dir, store, orgId } = await fresh();
    const orgJournal = join(dir, 'orgs', `${orgId}.journal.jsonl`);
    await store.tx(register(orgId, 'acc_1'));
    const globalBefore = await readFile(join(dir, 'global.journal.jsonl'), 'utf8');
    // The organization's journal becomes a directory: its append fails, the global one succeeded.
    await rm(orgJournal, { force: true });
    await mkdir(orgJournal);
    await expect(store.tx(register(orgId, 'acc_2'))).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect(await readFile(join(dir, 'global.journal.jsonl'), 'utf8')).toBe(globalBefore);
    expect(store.global().accounts.acc_2).toBeUndefined();
    expect(store.org(orgId)!.members.acc_2).toBeUndefined();
    await rm(orgJournal, { recursive: true });
  });
});

describe('embedded store under kill -9', () => {
  let bundle: string;
  let built: BuiltServer | undefined;
  beforeAll(async () => {
    built = await buildBundle('test/store/crash-writer.ts', 'writer');
    bundle = built.bundle;
  });
  afterAll(async () => {
    await built?.dispose();
  });

  /** Runs the writer until it has acknowledged `acks` transactions (counted from its output), then kills it. */
  function runAndKill(dir: string, orgId: string, acks: number): Promise<string[]> {
    const child = spawn(process.execPath, [bundle, dir, orgId], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise((res, rej) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const lines = out.split('\n');
        out = lines.pop()!;
        for (const l of lines) if (l.startsWith('ack ')) acked.push(l.slice(4));
        if (acked.length >= acks && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
      child.once('exit', (code, signal) => (signal === 'SIGKILL' ? res(acked) : rej(new Error(`writer exited ${code}: ${err}`))));
    });
  }

  it('never half-applies a two-document transaction and never keeps an audit event without its change', async () => {
    const { dir, store, orgId } = await fresh();
    await store.close();
    const acked: string[] = [];
    for (let round = 1; round <= 5; round++) {
      acked.push(...(await runAndKill(dir, orgId, round * 15)));
      const s = await open(dir);
      const accounts = Object.keys(s.global().accounts).sort();
      const members = Object.keys(s.org(orgId)!.members).sort();
      const audited = (await s.queryAudit(orgId, { limit: 100_000 })).map((e) => e.target).sort();
      expect(members).toEqual(accounts);
      expect(audited).toEqual(accounts);
      for (const id of acked) expect(accounts).toContain(id);
      await s.close();
      stores.splice(stores.indexOf(s), 1);
    }
  });
});

// The data directory on a small tmpfs that the test fills up: writes answer 503, nothing
// acknowledged is lost, memory and disk agree (global.json and every orgs/*.json), and the server
// recovers when space returns.
import { execFileSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLowdbStore } from '../../server/store/lowdb-store.js';
import { testCommitOptions } from '../helpers/store-options.js';
import { Client, owner, registered, uniqueEmail, type Reply } from '../helpers/client.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

const mnt = mkdtempSync(join(tmpdir(), 'sk-tmpfs-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt], { stdio: 'ignore' });
  mounted = true;
} catch {
  rmSync(mnt, { recursive: true, force: true });
  process.stderr.write(`disk-full test: cannot mount a tmpfs here (not root, or no mount permission); it checks nothing on this machine\n`);
}

function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes on a full disk until one is refused, then a burst at once. A small write may still fit
 * in a page its file already holds (a journal line), or in one a failed write just gave back, so
 * each answer is 201 (then it must survive) or 503 STORAGE_UNAVAILABLE (then it must leave nothing).
 */
async function writeOnFullDisk(write: (i: number) => Promise<Reply>): Promise<{ kept: string[]; refused: number[] }> {
  const kept: string[] = [];
  const refused: number[] = [];
  const note = (i: number, r: Reply) => {
    if (r.status === 201) kept.push(r.body.id);
    else {
      expect([r.status, r.body?.error?.code], `write ${i} on a full disk`).toEqual([503, 'STORAGE_UNAVAILABLE']);
      refused.push(i);
    }
  };
  for (let i = 0; i < 64 && refused.length === 0; i++) note(i, await write(i));
  const burst = Array.from({ length: 5 }, (_, k) => 100 + k);
  (await Promise.all(burst.map(write))).forEach((r, k) => note(burst[k]!, r));
  expect(refused.length, 'writes refused while the disk is full').toBeGreaterThan(0);
  return { kept, refused };
}

const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

/**
 * Memory against disk: each orgs/*.json (and global.json) as a restart would read it, loaded from
 * a copy by the store's own loader (which replays a journal beside the file, if any, and may tidy
 * files the running server must keep), and, where no journal lines follow it, the file verbatim.
 */
async function expectDiskEqualsMemory(server: TestServer, dataDir: string, where: string): Promise<void> {
  const memory = server.services.store;
  const copy = mkdtempSync(join(tmpdir(), 'sk-diskfull-copy-'));
  try {
    cpSync(dataDir, copy, { recursive: true });
    const files = readdirSync(join(copy, 'orgs')).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    expect(files.map((n) => n.slice(0, -'.json'.length)).sort(), `${where}: one file per organization in memory`).toEqual([...memory.orgIds()].sort());
    const verbatim = (file: string) => {
      const journal = file.replace(/\.json$/, '.journal.jsonl');
      return !existsSync(journal) || readFileSync(journal, 'utf8').trim() === '';
    };
    const reloaded = createLowdbStore(copy, testCommitOptions);
    await reloaded.open();
    try {
      expect(plain(reloaded.global()), `${where}: global.json`).toEqual(plain(memory.global()));
      if (verbatim(join(copy, 'global.json'))) expect(JSON.parse(readFileSync(join(copy, 'global.json'), 'utf8')), `${where}: global.json verbatim`).toEqual(plain(memory.global()));
      for (const file of files) {
        const orgId = file.slice(0, -'.json'.length);
        expect(plain(reloaded.org(orgId)), `${where}: orgs/${file}`).toEqual(plain(memory.org(orgId)));
        const path = join(copy, 'orgs', file);
        if (verbatim(path)) expect(JSON.parse(readFileSync(path, 'utf8')), `${where}: orgs/${file} verbatim`).toEqual(plain(memory.org(orgId)));
      }
    } finally {
      await reloaded.close();
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

describe.runIf(mounted)('disk full', () => {
  let server: TestServer;
  const dataDir = join(mnt, 'data');
  afterAll(async () => {
    await server?.stop().catch(() => {});
    if (mounted) execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });
  beforeAll(async () => {
    server = await startTestServer({ dataDir });
  });

  it('answers 503, keeps memory equal to disk, and recovers when space returns', async () => {
    const org = await seedOrg(server);
    const other = await seedOrg(server);
    const { client } = await owner(server.url, org);
    const base = `/api/v1/orgs/${org.orgId}`;
    const acknowledged: string[] = [];
    const orgWrites: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await client.post('/api/v1/me/tokens', { name: `before-${i}` });
      expect(r.status).toBe(201);
      acknowledged.push(r.body.id);
      const e = await client.post(`${base}/enrollment-tokens`, { name: `before-${i}`, expiresInHours: 1 });
      expect(e.status).toBe(201);
      orgWrites.push(e.body.id);
    }
    await expectDiskEqualsMemory(server, dataDir, 'before the disk filled');

    fillDisk(join(mnt, 'filler'));
    const globalWrites = await writeOnFullDisk((i) => client.post('/api/v1/me/tokens', { name: `during-${i}` }));
    acknowledged.push(...globalWrites.kept);
    const names = Object.values(server.services.store.global().apiTokens).map((t) => t.name);
    for (const i of globalWrites.refused) expect(names, 'a refused write left nothing in memory').not.toContain(`during-${i}`);
    const inOrg = await writeOnFullDisk((i) => client.post(`${base}/enrollment-tokens`, { name: `during-${i}`, expiresInHours: 1 }));
    orgWrites.push(...inOrg.kept);
    const orgNames = Object.values(server.services.store.org(org.orgId)!.enrollmentTokens).map((t) => t.name);
    for (const i of inOrg.refused) expect(orgNames, 'a refused write left nothing in memory').not.toContain(`during-${i}`);
    const reg = await new Client(server.url).post('/api/v1/auth/register', { email: uniqueEmail(), password: 'long enough pw', name: 'N', serial: org.serial });
    expect([202, 503]).toContain(reg.status);
    await expectDiskEqualsMemory(server, dataDir, 'while the disk is full');

    rmSync(join(mnt, 'filler'));
    const after = await client.post('/api/v1/me/tokens', { name: 'after' });
    expect(after.status).toBe(201);
    acknowledged.push(after.body.id);
    const afterOrg = await client.post(`${base}/enrollment-tokens`, { name: 'after', expiresInHours: 1 });
    expect(afterOrg.status).toBe(201);
    orgWrites.push(afterOrg.body.id);
    await registered(server.url, { serial: org.serial });
    await expectDiskEqualsMemory(server, dataDir, 'once space returned');

    await server.close();
    server = await startTestServer({ dataDir });
    const ids = Object.values(server.services.store.global().apiTokens).map((t) => t.id);
    for (const id of acknowledged) expect(ids).toContain(id);
    const tokens = Object.keys(server.services.store.org(org.orgId)!.enrollmentTokens);
    for (const id of orgWrites) expect(tokens).toContain(id);
    expect(server.services.store.org(other.orgId)).toBeDefined();
  });
});

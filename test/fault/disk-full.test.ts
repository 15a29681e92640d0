// The data directory on a small tmpfs that the test fills up: writes answer 503, nothing
// acknowledged is lost, memory and disk agree, and the server recovers when space returns.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, owner, registered, uniqueEmail } from '../helpers/client.js';
import { readStoredDoc } from '../../server/store/lowdb-store.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';

const mnt = mkdtempSync(join(tmpdir(), 'sk-tmpfs-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt], { stdio: 'ignore' });
  mounted = true;
} catch {
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
    const { client } = await owner(server.url, org);
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await client.post('/api/v1/me/tokens', { name: `before-${i}` });
      expect(r.status).toBe(201);
      acknowledged.push(r.body.id);
    }

    fillDisk(join(mnt, 'filler'));
    // A change small enough for the slack of a journal file's last page still lands (and is then
    // acknowledged); keep writing until the disk refuses, which must be a 503.
    let refused: { status: number; body: { error: { code: string } } } | undefined;
    const during: string[] = [];
    for (let i = 0; i < 400 && !refused; i++) {
      const r = await client.post('/api/v1/me/tokens', { name: `during-${i}` });
      if (r.status === 201) acknowledged.push(r.body.id);
      else refused = r;
      during.push(`during-${i}`);
    }
    expect(refused?.status).toBe(503);
    expect(refused?.body.error.code).toBe('STORAGE_UNAVAILABLE');
    const reg = await new Client(server.url).post('/api/v1/auth/register', { email: uniqueEmail(), password: 'long enough pw', name: 'N', serial: org.serial });
    expect(reg.status).toBe(503);
    // What a restart would load equals what the server holds, and the refused write is in neither.
    const onDisk = await readStoredDoc(join(dataDir, 'global.json'));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(server.services.store.global())));
    for (const id of server.services.store.orgIds()) {
      expect(await readStoredDoc(join(dataDir, 'orgs', `${id}.json`))).toEqual(JSON.parse(JSON.stringify(server.services.store.org(id))));
    }
    const names = Object.values(server.services.store.global().apiTokens).map((t) => t.name);
    expect(names).not.toContain(during.at(-1));

    rmSync(join(mnt, 'filler'));
    const after = await client.post('/api/v1/me/tokens', { name: 'after' });
    expect(after.status).toBe(201);
    acknowledged.push(after.body.id);
    await registered(server.url, { serial: org.serial });

    await server.close();
    server = await startTestServer({ dataDir });
    const ids = Object.values(server.services.store.global().apiTokens).map((t) => t.id);
    for (const id of acknowledged) expect(ids).toContain(id);
  });
});

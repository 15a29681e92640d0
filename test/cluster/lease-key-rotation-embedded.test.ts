// rotate-lease-key on one node with the embedded store: offline under the data directory's lock,
// and through the running server (DATA/operator.json), which then signs with the new key; the set
// stays in DATA/lease-keys.json (mode 0600). A bad overlap is refused with a message.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServerBundle, runServerCommand, startBuiltServer, type BuiltServer } from '../helpers/built-server.js';

let built: BuiltServer;
const children = new Set<ChildProcess>();
const dirs: string[] = [];
beforeAll(async () => {
  built = await buildServerBundle();
}, 180_000);
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await built?.dispose();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const kidsOf = async (dir: string) => (JSON.parse(await readFile(join(dir, 'lease-keys.json'), 'utf8')) as { keys: Array<{ kid: string; retiresAt: number | null }> }).keys;

describe('rotate-lease-key on the embedded store', () => {
  it('rotates offline and through the running server, keeping the old key for the overlap', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sk-rotate-'));
    dirs.push(dir);
    const bad = await runServerCommand(built.bundle, ['rotate-lease-key', '--data', dir, '--overlap-hours', 'soon']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--overlap-hours');

    const offline = await runServerCommand(built.bundle, ['rotate-lease-key', '--data', dir, '--overlap-hours', '24']);
    expect(offline.code, offline.stderr).toBe(0);
    const k2 = /New lease key (\S+) signs/.exec(offline.stdout)![1]!;
    const after = await kidsOf(dir);
    expect(after.map((k) => k.kid).at(-1)).toBe(k2);
    expect(after).toHaveLength(2);
    expect(after[0]!.retiresAt).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect((await stat(join(dir, 'lease-keys.json'))).mode & 0o777).toBe(0o600);

    const server = await startBuiltServer(built.bundle, dir, children);
    const online = await runServerCommand(built.bundle, ['rotate-lease-key', '--data', dir, '--overlap-hours', '0']);
    expect(online.code, online.stderr).toBe(0);
    const k3 = /New lease key (\S+) signs/.exec(online.stdout)![1]!;
    expect((await kidsOf(dir)).map((k) => k.kid).at(-1)).toBe(k3);
    // Through the server (it holds the directory's lock, so offline would have been refused); the
    // operator route answers nobody without the operator token.
    const stranger = await fetch(`${server.url}/api/v1/operator/lease-key/rotate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"overlapMs":0}' });
    expect(stranger.status).toBe(404);
    server.child.kill('SIGTERM');
    await server.exited;
    expect((await kidsOf(dir)).filter((k) => k.retiresAt === null).map((k) => k.kid)).toEqual([k3]);
  }, 240_000);
});

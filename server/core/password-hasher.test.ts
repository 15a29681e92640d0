import { ChildProcess, execFileSync } from 'node:child_process';
import { scryptSync, randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE, Hasher, RETRY_MS, hasherPids, scryptApart } from './password-hasher.js';

const options = { N: 2 ** 14, r: 8, p: 1 };

/** The nice values of every thread of a process (Linux: field 19 of /proc/<pid>/task/<tid>/stat). */
async function nicesOf(pid: number): Promise<number[]> {
  const tids = await readdir(`/proc/${pid}/task`);
  return Promise.all(
    tids.map(async (tid) => {
      const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: count fields after its end.
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    }),
  );
}

describe('password hashing apart from the server', () => {
  it('computes the same key as scrypt itself, in another process', async () => {
    const salt = randomBytes(16);
    const key = await scryptApart('correct horse battery', salt, 32, options, false);
    expect(key.equals(scryptSync('correct horse battery', salt, 32, options))).toBe(true);
    expect((await scryptApart('correct horse battery', salt, 32, options, true)).equals(key)).toBe(true);
    const { background, priority } = hasherPids();
    expect(background).toBeGreaterThan(0);
    expect(priority).toBeGreaterThan(0);
    expect([background, priority]).not.toContain(process.pid);
  });

  it('refuses impossible parameters with an error from the child, which keeps hashing after it', async () => {
    await scryptApart('pw', randomBytes(16), 32, options, false);
    const before = hasherPids().background;
    await expect(scryptApart('pw', randomBytes(16), 32, { N: 3, r: 8, p: 1 }, false)).rejects.toThrow(/N|param|invalid/i);
    expect((await scryptApart('pw', randomBytes(16), 32, options, false)).length).toBe(32);
    expect(hasherPids().background).toBe(before);
  });

  // /proc and priorities per thread are Linux's; elsewhere the children keep the server's priority.
  it.runIf(process.platform === 'linux')("hashes anyone's password in a process below normal priority, every thread of it; a known device's at the server's own", async () => {
    await scryptApart('stranger', randomBytes(16), 32, options, false);
    await scryptApart('known device', randomBytes(16), 32, options, true);
    const own = getPriority();
    const { background, priority } = hasherPids();
    const low = await nicesOf(background!);
    expect(low.length).toBeGreaterThan(1); // the main thread, V8's and libuv's pool, which hashes
    for (const nice of low) expect(nice).toBe(Math.max(own, BACKGROUND_NICE));
    for (const nice of await nicesOf(priority!)) expect(nice).toBe(own);
  });

  it.runIf(process.platform === 'linux')("finishes a hash whose child was killed, starts a new child, and gives it none of the server's environment", async () => {
    const told: string[] = [];
    const hasher = new Hasher(BACKGROUND_NICE, () => 2, () => (message) => told.push(message));
    await hasher.hash('warm', randomBytes(16), 32, options);
    const first = hasher.pid!;
    const salt = randomBytes(16);
    const pending = hasher.hash('killed under it', salt, 32, options);
    process.kill(first, 'SIGKILL');
    expect((await pending).equals(scryptSync('killed under it', salt, 32, options))).toBe(true);
    expect(told.length).toBe(1);

    process.env.SEATKEEPER_PROBE_SECRET = 'must-not-travel';
    try {
      await hasher.hash('after', randomBytes(16), 32, options);
      const second = hasher.pid!;
      expect(second).not.toBe(first);
      const environ = await readFile(`/proc/${second}/environ`, 'utf8');
      expect(environ).not.toContain('must-not-travel');
    } finally {
      delete process.env.SEATKEEPER_PROBE_SECRET;
      process.kill(hasher.pid!, 'SIGKILL');
    }
  });

  it('hashes in the server when no child can be started, says so, and tries again later, not on every hash', async () => {
    const told: Array<Record<string, unknown>> = [];
    let starts = 0;
    let now = 1_000_000;
    const hasher = new Hasher(
      BACKGROUND_NICE,
      () => 2,
      () => (_message, meta) => told.push(meta),
      () => {
        starts++;
        throw Object.assign(new Error('spawn ENOMEM'), { code: 'ENOMEM' });
      },
      () => now,
    );
    const salt = randomBytes(16);
    for (let i = 0; i < 4; i++) expect((await hasher.hash('no child', salt, 32, options)).equals(scryptSync('no child', salt, 32, options))).toBe(true);
    // The first failure is retried at once, the second waits.
    expect(starts).toBe(2);
    expect(told.map((m) => m.retryInMs)).toEqual([0, RETRY_MS]);
    now += RETRY_MS;
    await hasher.hash('no child', salt, 32, options);
    expect(starts).toBe(3);
    expect(told.at(-1)!.retryInMs).toBe(2 * RETRY_MS);
  });

  it('hashes in the server when the child comes back without a channel (no file descriptors left)', async () => {
    // A ChildProcess never spawned has no pid and no send(): what spawn gives when it hits EMFILE.
    const hasher = new Hasher(BACKGROUND_NICE, () => 2, () => () => {}, () => new ChildProcess());
    const salt = randomBytes(16);
    expect((await hasher.hash('no channel', salt, 32, options)).equals(scryptSync('no channel', salt, 32, options))).toBe(true);
    expect(hasher.pid).toBeUndefined();
  });

  // A FIFO opened for reading holds a libuv thread until a writer comes: with every thread of the
  // pool held, a hash on this process's pool would wait; in the child it finishes.
  it.runIf(process.platform === 'linux')("leaves the server's libuv pool alone: a hash finishes while every thread of it is held", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sk-pw-hasher-'));
    const size = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    const fifos = Array.from({ length: size }, (_, i) => join(dir, `held-${i}`));
    for (const f of fifos) execFileSync('mkfifo', [f]);
    const held = fifos.map((f) => open(f, 'r'));
    let outcome: Buffer | string;
    try {
      // Bounded: on the held pool the hash would never finish, and the test would hang instead of failing.
      let timer: NodeJS.Timeout | undefined;
      outcome = await Promise.race([
        scryptApart('while the pool is held', randomBytes(16), 32, options, false),
        new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still waiting after 20 s'), 20_000))),
      ]);
      clearTimeout(timer);
    } finally {
      // Let the pool go: a writer on each FIFO ends its open.
      for (const f of fifos) closeSync(openSync(f, 'w'));
      for (const h of held) await (await h).close();
      await rm(dir, { recursive: true, force: true });
    }
    expect(outcome).toBeInstanceOf(Buffer);
  });
});

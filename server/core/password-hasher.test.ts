import { execFileSync } from 'node:child_process';
import { scryptSync, randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE, hasherPids, scryptApart } from './password-hasher.js';

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

  it('refuses impossible parameters with an error, and keeps hashing after it', async () => {
    await expect(scryptApart('pw', randomBytes(16), 32, { N: 3, r: 8, p: 1 }, false)).rejects.toThrow();
    expect((await scryptApart('pw', randomBytes(16), 32, options, false)).length).toBe(32);
  });

  // /proc and priorities per thread are Linux's; elsewhere the children keep the server's priority.
  it.runIf(process.platform === 'linux')("hashes anyone's password in a process below normal priority, every thread of it; a known device's at the server's own", async () => {
    await scryptApart('stranger', randomBytes(16), 32, options, false);
    await scryptApart('known device', randomBytes(16), 32, options, true);
    const own = getPriority();
    const { background, priority } = hasherPids();
    const low = await nicesOf(background!);
    expect(low.length).toBeGreaterThan(1); // the main thread and libuv's pool, which hashes
    for (const nice of low) expect(nice).toBe(Math.max(own, BACKGROUND_NICE));
    for (const nice of await nicesOf(priority!)) expect(nice).toBe(own);
  });

  it.runIf(process.platform === 'linux')("finishes a hash whose child was killed, starts a new child, and gives it none of the server's environment", async () => {
    await scryptApart('warm', randomBytes(16), 32, options, false);
    const first = hasherPids().background!;
    const salt = randomBytes(16);
    const pending = scryptApart('killed under it', salt, 32, options, false);
    process.kill(first, 'SIGKILL');
    expect((await pending).equals(scryptSync('killed under it', salt, 32, options))).toBe(true);

    process.env.SEATKEEPER_PROBE_SECRET = 'must-not-travel';
    try {
      await scryptApart('after', randomBytes(16), 32, options, false);
      const second = hasherPids().background!;
      expect(second).not.toBe(first);
      const environ = await readFile(`/proc/${second}/environ`, 'utf8');
      expect(environ).not.toContain('must-not-travel');
    } finally {
      delete process.env.SEATKEEPER_PROBE_SECRET;
    }
  });

  // A FIFO opened for reading holds a libuv thread until a writer comes: with all four held, a
  // hash on this process's pool would wait; in the child it finishes.
  it.runIf(process.platform === 'linux')("leaves the server's libuv pool alone: a hash finishes while every thread of it is held", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sk-pw-hasher-'));
    const fifos = Array.from({ length: 4 }, (_, i) => join(dir, `held-${i}`));
    try {
      for (const f of fifos) execFileSync('mkfifo', [f]);
      const held = fifos.map((f) => open(f, 'r'));
      const key = await scryptApart('while the pool is held', randomBytes(16), 32, options, false);
      expect(key.length).toBe(32);
      // Let the pool go: a writer on each FIFO ends its open.
      for (const f of fifos) closeSync(openSync(f, 'w'));
      for (const h of held) await (await h).close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

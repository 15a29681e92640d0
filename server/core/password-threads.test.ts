import { execFileSync } from 'node:child_process';
import { scryptSync, randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE, hashThreadIds, scryptOnThread } from './password-threads.js';

const options = { N: 2 ** 14, r: 8, p: 1 };

/** The nice value of one of this process's threads (Linux: field 19 of /proc/self/task/<tid>/stat). */
async function niceOf(tid: number): Promise<number> {
  const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8');
  // The command name is in parentheses and may hold spaces: count fields after its end.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

describe('password hashing threads', () => {
  it('compute the same key as scrypt itself', async () => {
    const salt = randomBytes(16);
    const key = await scryptOnThread('correct horse battery', salt, 32, options, false);
    expect(key.equals(scryptSync('correct horse battery', salt, 32, options))).toBe(true);
    expect((await scryptOnThread('correct horse battery', salt, 32, options, true)).equals(key)).toBe(true);
  });

  it('refuse impossible parameters with an error, and keep hashing after it', async () => {
    await expect(scryptOnThread('pw', randomBytes(16), 32, { N: 3, r: 8, p: 1 }, false)).rejects.toThrow();
    expect((await scryptOnThread('pw', randomBytes(16), 32, options, false)).length).toBe(32);
  });

  // /proc and per-thread priorities are Linux's; elsewhere the threads keep the process's priority.
  it.runIf(process.platform === 'linux')("hash anyone's password on a thread below normal priority, a known device's at the process's own", async () => {
    await scryptOnThread('stranger', randomBytes(16), 32, options, false);
    await scryptOnThread('known device', randomBytes(16), 32, options, true);
    const own = getPriority();
    const { background, priority } = hashThreadIds();
    expect(background.length).toBeGreaterThan(0);
    expect(priority.length).toBeGreaterThan(0);
    for (const tid of background) expect(await niceOf(tid)).toBe(Math.max(own, BACKGROUND_NICE));
    for (const tid of priority) expect(await niceOf(tid)).toBe(own);
  });

  // A FIFO opened for reading holds a libuv thread until a writer comes: with all four held, a
  // hash on libuv's pool would wait; on its own thread it finishes.
  it.runIf(process.platform === 'linux')("leave libuv's pool alone: a hash finishes while every thread of the pool is held", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sk-pw-threads-'));
    const fifos = Array.from({ length: 4 }, (_, i) => join(dir, `held-${i}`));
    try {
      for (const f of fifos) execFileSync('mkfifo', [f]);
      const held = fifos.map((f) => open(f, 'r'));
      const key = await scryptOnThread('while the pool is held', randomBytes(16), 32, options, false);
      expect(key.length).toBe(32);
      // Let the pool go: a writer on each FIFO ends its open.
      for (const f of fifos) closeSync(openSync(f, 'w'));
      for (const h of held) await (await h).close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { scryptSync, randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scryptOnThread } from './password-threads.js';

const options = { N: 2 ** 14, r: 8, p: 1 };

/** The nice value of each of this process's threads (Linux: field 19 of /proc/self/task/<tid>/stat). */
async function threadNices(): Promise<Map<string, number>> {
  const nices = new Map<string, number>();
  for (const tid of await readdir('/proc/self/task')) {
    const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8').catch(() => '');
    // The command name is in parentheses and may hold spaces: count fields after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.length > 16) nices.set(tid, Number(fields[16]));
  }
  return nices;
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
  it.runIf(process.platform === 'linux')("hash anyone's password on a thread at the lowest CPU priority, a known device's at normal priority", async () => {
    const before = await threadNices();
    await scryptOnThread('stranger', randomBytes(16), 32, options, false);
    const afterStranger = await threadNices();
    const newStranger = [...afterStranger.keys()].filter((t) => !before.has(t));
    await scryptOnThread('known device', randomBytes(16), 32, options, true);
    const afterKnown = await threadNices();
    const newKnown = [...afterKnown.keys()].filter((t) => !afterStranger.has(t));
    // Threads are kept for the next hash: the first call of each kind made one (earlier tests in this file may have made them).
    const lowest = [...afterKnown.values()].filter((n) => n === 19).length;
    expect(lowest).toBeGreaterThanOrEqual(1);
    for (const t of newStranger) expect(afterStranger.get(t)).toBe(19);
    for (const t of newKnown) expect(afterKnown.get(t)).toBe(0);
  });

  it("leave libuv's pool to the disk: a durable write finishes while more hashes than the pool has threads run", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sk-pw-threads-'));
    try {
      let hashesDone = 0;
      // Four slow hashes at once would take every thread of libuv's pool (4) were they computed there.
      const slow = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };
      const hashes = Array.from({ length: 4 }, (_, i) => scryptOnThread(`pw ${i}`, randomBytes(16), 32, slow, false).then(() => hashesDone++));
      const f = await open(join(dir, 'journal'), 'w');
      await f.writeFile('{"op":"assign"}\n');
      await f.sync();
      await f.close();
      const doneWhenWritten = hashesDone;
      await Promise.all(hashes);
      expect(doneWhenWritten).toBe(0);
      expect(hashesDone).toBe(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

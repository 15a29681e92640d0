import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readJson, readValid, writeFileAtomic, writeJsonAtomic } from './atomic-write.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'sk-atomic-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates missing parent directories and replaces the file whole', async () => {
    const file = path.join(dir, 'a', 'b', 'x.json');
    await writeJsonAtomic(file, { n: 1 });
    await writeJsonAtomic(file, { n: 2, more: 'x'.repeat(1000) });
    expect(await readJson(file)).toEqual({ n: 2, more: 'x'.repeat(1000) });
  });

  it('leaves no temp files behind', async () => {
    for (let i = 0; i < 5; i++) await writeJsonAtomic(path.join(dir, 'x.json'), { i });
    expect(await fs.readdir(dir)).toEqual(['x.json']);
  });

  it.skipIf(process.platform === 'win32')('writes secrets with mode 0600 even over a 0644 file', async () => {
    const file = path.join(dir, 'key.json');
    await writeFileAtomic(file, 'public', { mode: 0o644 });
    await writeFileAtomic(file, 'secret', { mode: 0o600 });
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('never lets a reader see a partial file while 20 writers race', async () => {
    const file = path.join(dir, 'race.json');
    await writeJsonAtomic(file, { w: -1, pad: '' });
    let reads = 0;
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const v = (await readJson(file)) as { w: number; pad: string };
        expect(v.pad.length).toBe(v.w === -1 ? 0 : 50_000);
        reads++;
      }
    })();
    await Promise.all(Array.from({ length: 20 }, (_, w) => writeJsonAtomic(file, { w, pad: 'p'.repeat(50_000) })));
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(((await readJson(file)) as { w: number }).w).toBeGreaterThanOrEqual(0);
    expect(await fs.readdir(dir)).toEqual(['race.json']);
  });

  it('reads a missing file as null and refuses non-JSON', async () => {
    expect(await readJson(path.join(dir, 'nope.json'))).toBeNull();
    await fs.writeFile(path.join(dir, 'bad.json'), '{half');
    await expect(readJson(path.join(dir, 'bad.json'))).rejects.toThrow();
  });
});

describe('readValid', () => {
  const Shape = z.object({ n: z.number() });

  it('returns what matches the schema and null for a missing, damaged or foreign file', async () => {
    await writeJsonAtomic(path.join(dir, 'good.json'), { n: 1 });
    await fs.writeFile(path.join(dir, 'bad.json'), '{half');
    await writeJsonAtomic(path.join(dir, 'other.json'), { n: 'one' });
    expect(await readValid(path.join(dir, 'good.json'), Shape)).toEqual({ n: 1 });
    expect(await readValid(path.join(dir, 'nope.json'), Shape)).toBeNull();
    expect(await readValid(path.join(dir, 'bad.json'), Shape)).toBeNull();
    expect(await readValid(path.join(dir, 'other.json'), Shape)).toBeNull();
  });
});

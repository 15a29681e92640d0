import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statePaths, type StatePaths } from './paths.js';
import { foldSpool, forgetTaken, prepareUsageDirs } from './usage-fold.js';
import { MAX_SPOOL_FILE_BYTES, recordCheck, spoolLine } from './usage-spool.js';

let dir: string;
let paths: StatePaths;
const now = Date.now();
const mine = () => path.join(paths.usageSpool, `u${process.getuid!()}.log`);

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'sk-spool-'));
  paths = statePaths(dir);
  await prepareUsageDirs(paths);
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

describe.skipIf(process.platform === 'win32')('the usage spool', () => {
  it('records one line per check in a file of its own (0600) and nothing without the spool directory', async () => {
    expect((await fs.stat(paths.usageSpool)).mode & 0o7777).toBe(0o1733);
    expect(recordCheck(paths.usageSpool, now, 'ACAD', 'no-lease', 'bob')).toBe(true);
    expect(recordCheck(paths.usageSpool, now + 1, 'ACAD', 'ok', 'b\tob\n')).toBe(true);
    expect(await fs.readFile(mine(), 'utf8')).toBe(`${now}\tACAD\tno-lease\tbob\n${now + 1}\tACAD\tok\tb_ob_\n`);
    expect((await fs.stat(mine())).mode & 0o777).toBe(0o600);
    expect(recordCheck(path.join(dir, 'missing'), now, 'ACAD', 'ok', 'bob')).toBe(false);
  });

  it('never follows a symlink left under its name, and stops growing at the size bound', async () => {
    const target = path.join(dir, 'victim.txt');
    await fs.writeFile(target, 'mine\n');
    await fs.symlink(target, mine());
    expect(recordCheck(paths.usageSpool, now, 'ACAD', 'ok', 'bob')).toBe(false);
    expect(await fs.readFile(target, 'utf8')).toBe('mine\n');
    await fs.rm(mine());
    await fs.writeFile(mine(), 'x'.repeat(MAX_SPOOL_FILE_BYTES), { mode: 0o600 });
    expect(recordCheck(paths.usageSpool, now, 'ACAD', 'ok', 'bob')).toBe(false);
    expect((await fs.stat(mine())).size).toBe(MAX_SPOOL_FILE_BYTES);
  });

  it('folds the lines into counts per product, outcome and user, dropping anything malformed', async () => {
    const good = [spoolLine(now - 5000, 'ACAD', 'no-lease', 'bob'), spoolLine(now - 1000, 'ACAD', 'no-lease', 'bob'), spoolLine(now, 'SW-PREMIUM', 'ok', null)];
    const bad = [
      `${now}\tACAD\tstolen\tbob\n`, // unknown outcome
      `${now}\tacad\tok\tbob\n`, // not a product code
      `${now + 3600_000}\tACAD\tok\tbob\n`, // from the future
      `${now - 400 * 24 * 3600_000}\tACAD\tok\tbob\n`, // too old
      `${now}\tACAD\tok\tbob\textra\n`,
      `${now}\tACAD\tok\tb\u0000b\n`,
      'not a line at all\n',
    ];
    await fs.writeFile(mine(), [...good, ...bad].join(''), { mode: 0o600 });
    const f = await foldSpool(paths, now);
    expect(f.dropped).toBe(bad.length);
    expect(f.counts).toEqual([
      { productCode: 'ACAD', outcome: 'no-lease', user: 'bob', count: 2, first: now - 5000, last: now - 1000 },
      { productCode: 'SW-PREMIUM', outcome: 'ok', user: null, count: 1, first: now, last: now },
    ]);
    // Taken out of users' reach at once; gone once forgotten.
    expect(await fs.readdir(paths.usageSpool)).toEqual([]);
    expect(f.taken).toHaveLength(1);
    await forgetTaken(f.taken);
    expect(await fs.readdir(paths.usageTaken)).toEqual([]);
  });

  it('counts again what a crash left taken but not saved, and refuses symlinks, hard links and strangers', async () => {
    await fs.writeFile(path.join(paths.usageTaken, `u${process.getuid!()}.log.aaaaaaaaaaaa`), spoolLine(now, 'ACAD', 'ok', 'bob'));
    const secret = path.join(dir, 'device-key.json');
    await fs.writeFile(secret, `${now}\tACAD\tok\tbob\n`);
    await fs.symlink(secret, path.join(paths.usageSpool, `u${process.getuid!() + 1}.log`));
    await fs.link(secret, path.join(paths.usageSpool, `u${process.getuid!() + 2}.log`));
    // A file named for another uid than its owner's: someone speaking for another user.
    await fs.writeFile(path.join(paths.usageSpool, `u${process.getuid!() + 3}.log`), spoolLine(now, 'ACAD', 'ok', 'root'));
    await fs.writeFile(path.join(paths.usageSpool, 'notes.txt'), 'ignored');
    const f = await foldSpool(paths, now);
    expect(f.counts).toEqual([{ productCode: 'ACAD', outcome: 'ok', user: 'bob', count: 1, first: now, last: now }]);
    expect(f.dropped).toBe(3);
    expect(await fs.readFile(secret, 'utf8')).toBe(`${now}\tACAD\tok\tbob\n`);
  });

  it('starts the spool again when it is not a directory the service owns', async () => {
    await fs.rm(paths.usageSpool, { recursive: true });
    await fs.symlink(dir, paths.usageSpool);
    await prepareUsageDirs(paths);
    const st = await fs.lstat(paths.usageSpool);
    expect(st.isDirectory()).toBe(true);
    expect(st.mode & 0o7777).toBe(0o1733);
  });
});

// The daemon's side of usage/: takes each user's spool file out of users' reach (into usage-taken/,
// the service's alone), reads it as untrusted input — a regular file of its named owner, bounded,
// line by line, anything malformed dropped — and counts it per product, outcome and user.
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { UsageCount } from '../../shared/protocol/usage.js';
import { MAX_USAGE_COUNT } from '../../shared/protocol/usage.js';
import type { StatePaths } from './paths.js';
import { isProductCode } from './shapes.js';
import { isCheckOutcome, LOCAL_USER, MAX_SPOOL_FILE_BYTES, SPOOL_DIR_MODE, SPOOL_FILE } from './usage-spool.js';

/** Lines dated further back than this are dropped (the server keeps 90 days). */
const OLDEST_MS = 90 * 24 * 3600 * 1000;
/** Lines dated ahead of the daemon's clock by more than this are dropped. */
const AHEAD_MS = 5 * 60 * 1000;
/** Files taken per fold: more are left for the next one. */
const MAX_FILES_PER_FOLD = 512;

export interface SpoolFold {
  counts: UsageCount[];
  /** files in usage-taken/ to remove once the counts are saved */
  taken: string[];
  /** lines (or whole files) refused */
  dropped: number;
}

/** Creates usage/ and usage-taken/ with their modes exactly (run at every daemon start). */
export async function prepareUsageDirs(paths: StatePaths): Promise<void> {
  await fs.mkdir(paths.usageSpool, { recursive: true, mode: SPOOL_DIR_MODE });
  await fs.mkdir(paths.usageTaken, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  // A spool directory that is a symlink, or not ours, is not the one we made: start it again.
  const st = await fs.lstat(paths.usageSpool);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    await fs.rm(paths.usageSpool, { recursive: true, force: true });
    await fs.mkdir(paths.usageSpool, { mode: SPOOL_DIR_MODE });
  }
  await fs.chmod(paths.usageSpool, SPOOL_DIR_MODE);
  await fs.chmod(paths.usageTaken, 0o700);
}

/** Moves the users' spool files into usage-taken/ (a file being appended to is left for next time). */
async function takeFiles(paths: StatePaths): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(paths.usageSpool);
  } catch {
    return;
  }
  for (const name of names.filter((n) => SPOOL_FILE.test(n)).slice(0, MAX_FILES_PER_FOLD)) {
    const to = path.join(paths.usageTaken, `${name}.${randomBytes(6).toString('hex')}`);
    // rename moves a symlink itself, never its target; the read below refuses anything but a file.
    await fs.rename(path.join(paths.usageSpool, name), to).catch(() => undefined);
  }
}

/** One taken file's lines, or null when the file is not what a user's `check` makes. */
async function readTaken(file: string): Promise<string[] | null> {
  const name = path.basename(file).replace(/\.[0-9a-f]{12}$/, '');
  const m = SPOOL_FILE.exec(name);
  if (!m) return null;
  let h: fs.FileHandle;
  try {
    h = await fs.open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return null;
  }
  try {
    const st = await h.stat();
    if (!st.isFile() || st.nlink > 1) return null;
    // POSIX: u<uid>.log must belong to that uid (nobody can give a file away), so a user's lines
    // are only ever counted as their own.
    if (m[1] !== undefined && process.platform !== 'win32' && st.uid !== Number(m[1])) return null;
    const buf = Buffer.alloc(Math.min(st.size, MAX_SPOOL_FILE_BYTES + 4096));
    const { bytesRead } = await h.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8').split('\n');
  } finally {
    await h.close();
  }
}

/** Takes and counts what the users' `check`s left since the last fold (and anything left over from a crash). */
export async function foldSpool(paths: StatePaths, now: number): Promise<SpoolFold> {
  await takeFiles(paths);
  let names: string[];
  try {
    names = (await fs.readdir(paths.usageTaken)).slice(0, MAX_FILES_PER_FOLD * 2);
  } catch {
    return { counts: [], taken: [], dropped: 0 };
  }
  const rows = new Map<string, UsageCount>();
  const taken: string[] = [];
  let dropped = 0;
  for (const n of names) {
    const file = path.join(paths.usageTaken, n);
    taken.push(file);
    const lines = await readTaken(file);
    if (!lines) {
      dropped++;
      continue;
    }
    for (const line of lines) {
      if (line === '') continue;
      const f = line.split('\t');
      const at = Number(f[0]);
      const user = f[3] === '' ? null : (f[3] ?? '');
      if (f.length !== 4 || !Number.isSafeInteger(at) || at < now - OLDEST_MS || at > now + AHEAD_MS || !isProductCode(f[1]) || !isCheckOutcome(f[2]) || (user !== null && !LOCAL_USER.test(user))) {
        dropped++;
        continue;
      }
      const key = `${f[1]}\t${f[2]}\t${user ?? ''}`;
      const r = rows.get(key);
      if (r) {
        r.count = Math.min(MAX_USAGE_COUNT, r.count + 1);
        r.first = Math.min(r.first, at);
        r.last = Math.max(r.last, at);
      } else rows.set(key, { productCode: f[1], outcome: f[2], user, count: 1, first: at, last: at });
    }
  }
  return { counts: [...rows.values()], taken, dropped };
}

/** Removes taken files once their counts are safe in the outbox. */
export async function forgetTaken(taken: readonly string[]): Promise<void> {
  for (const f of taken) await fs.rm(f, { force: true }).catch(() => undefined);
}

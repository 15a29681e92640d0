// The data directory belongs to one process and to the service account alone: a lock file that
// names the holder (a second server, or an offline `add-org`, refuses to start over it), and
// every directory 0700 and file 0600 whatever modes were there before (outbox mails hold live
// invitation links).
import { chmod, lstat, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'seatkeeper.lock';

export class DataDirLockedError extends Error {
  constructor(dir: string, holder: string) {
    super(
      `The data directory ${dir} is in use by another Seatkeeper process (${holder}). ` +
        'Stop it first; two processes writing one data directory would lose changes.',
    );
    this.name = 'DataDirLockedError';
  }
}

async function alive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process its parent has not reaped yet (a zombie) still answers kill 0 but holds nothing.
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return !/^\d+ \(.*\) Z /s.test(stat);
}

/** Takes the lock (replacing one left by a process that is gone); returns its release. */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, LOCK_FILE);
  const me = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(me);
      await fh.close();
      return async () => {
        // Only our own lock: a successor may have replaced a lock we were thought dead for.
        if ((await readFile(path, 'utf8').catch(() => '')) === me) await unlink(path).catch(() => {});
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw e;
    }
    let holder: { pid?: unknown; host?: unknown; since?: unknown } = {};
    try {
      holder = JSON.parse(await readFile(path, 'utf8')) as typeof holder;
    } catch {
      // Unreadable or half-written: treated as stale below only when it names no live process.
    }
    const pid = typeof holder.pid === 'number' ? holder.pid : NaN;
    const sameHost = holder.host === undefined || holder.host === hostname();
    if (Number.isInteger(pid) && (!sameHost || (await alive(pid)))) {
      throw new DataDirLockedError(dir, `pid ${pid} on ${String(holder.host)}, since ${String(holder.since)}`);
    }
    await unlink(path).catch(() => {});
  }
}

/** Directories 0700 and files 0600 under `dir` (symbolic links are left alone, never followed). */
export async function tightenDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await tightenDataDir(p);
    else if (entry.isFile() && ((await lstat(p)).mode & 0o777) !== 0o600) await chmod(p, 0o600);
  }
}

// usage/: `check` leaves one line per answer here for the daemon to count and report. Any local user
// runs `check` while only the service writes the state directory, so this one directory is open
// to all (Linux/macOS: 1733, create but not list, sticky; Windows: %ProgramData%'s inherited ACL
// lets Users create files and makes each its creator's). Each user appends to a file of their own;
// the daemon treats every byte of it as untrusted input (usage-fold.ts). Lean: `check` loads it.
import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CHECK_OUTCOMES, type CheckOutcome } from '../../shared/protocol/check-outcomes.js';

/** rwx for the service, wx for others (create, never list), sticky (nobody removes another's file) */
export const SPOOL_DIR_MODE = 0o1733;
/** a user's spool file: theirs alone (the service reads it as root / SYSTEM) */
export const SPOOL_FILE_MODE = 0o600;
/** A user's file stops growing here until the daemon takes it: ~2,000 checks, a bounded disk cost. */
export const MAX_SPOOL_FILE_BYTES = 64 * 1024;

/** Local user names as a label: what LocalUser (shared/protocol/usage.ts) accepts. */
export const LOCAL_USER = /^[A-Za-z0-9._@ $-]{1,64}$/;
/** The spool file names `check` makes: per uid on POSIX, per user name on Windows. */
export const SPOOL_FILE = /^(?:u(\d{1,10})|w-([A-Za-z0-9._@ $-]{1,64}))\.log$/;

export const isCheckOutcome = (v: unknown): v is CheckOutcome => typeof v === 'string' && (CHECK_OUTCOMES as readonly string[]).includes(v);

export function cleanLocalUser(user: string | undefined): string | null {
  if (!user) return null;
  const u = user.replace(/[^A-Za-z0-9._@ $-]/g, '_').slice(0, 64);
  return LOCAL_USER.test(u) ? u : null;
}

/** This process's spool file name: u<uid>.log, or w-<user>.log where there are no uids. */
export function spoolFileName(uid: number | undefined, user: string | null): string | null {
  if (uid !== undefined && uid >= 0) return `u${uid}.log`;
  return user ? `w-${user}.log` : null;
}

/** `<epoch ms>\t<PRODUCT>\t<outcome>\t<user>\n` */
export function spoolLine(at: number, productCode: string, outcome: CheckOutcome, user: string | null): string {
  return `${at}\t${productCode}\t${outcome}\t${user ?? ''}\n`;
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Appends one answer to this user's spool file; false when it did not (no spool directory: the
 * daemon has not run yet; the file is full, not this user's, or unwritable). Never throws: the
 * answer of `check` does not depend on it. One open, fstat, write and close: microseconds.
 */
export function recordCheck(spoolDir: string, at: number, productCode: string, outcome: CheckOutcome, localUser: string | undefined): boolean {
  const user = cleanLocalUser(localUser);
  const uid = process.getuid?.();
  const name = spoolFileName(uid, user);
  if (!name) return false;
  let fd: number | undefined;
  try {
    // O_NOFOLLOW: another user may have put a symlink under our name, pointing at one of our files.
    fd = openSync(path.join(spoolDir, name), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | O_NOFOLLOW, SPOOL_FILE_MODE);
    const st = fstatSync(fd);
    // A file someone else made under our name is theirs: it would be counted as theirs, or dropped.
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || st.size >= MAX_SPOOL_FILE_BYTES) return false;
    writeSync(fd, spoolLine(at, productCode, outcome, user));
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

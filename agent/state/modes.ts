// File modes in the state directory. The service (root under systemd, with UMask=0077) writes it,
// while `check` runs as whichever local user starts a product: what `check` reads is readable by
// every user on purpose (leases are signed, not secret), and only the device key is private.
import { promises as fs } from 'node:fs';
import type { StatePaths } from './paths.js';

/** the state directory and leases/: anyone may look up a lease */
export const PUBLIC_DIR_MODE = 0o755;
/** config, leases, clock guard, status: what `check` and `status` read */
export const PUBLIC_FILE_MODE = 0o644;
/** the device key */
export const SECRET_FILE_MODE = 0o600;

/** Creates `dir` if needed and sets its mode exactly (mkdir's mode is cut down by the umask). */
export async function ensurePublicDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: PUBLIC_DIR_MODE });
  // Windows has no such modes; the ACLs of %ProgramData% already let users read.
  if (process.platform !== 'win32') await fs.chmod(dir, PUBLIC_DIR_MODE);
}

/**
 * Opens the state directory and leases/ to every user. Run by enroll and at every daemon start,
 * so an install whose directories were made under a restrictive umask is repaired by a restart.
 */
export async function prepareStateDir(paths: StatePaths): Promise<void> {
  await ensurePublicDir(paths.dir);
  await ensurePublicDir(paths.leases);
}

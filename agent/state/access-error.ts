// A state file the caller is not allowed to read: typically `check` run by a user the state
// directory was never opened to. That is an error of the setup (exit 2), not a tampered lease.
export const STATE_ACCESS_DENIED = 'STATE_ACCESS_DENIED';

export class StateAccessError extends Error {
  override name = 'StateAccessError';
  readonly code = STATE_ACCESS_DENIED;
  /** the file or directory that could not be read */
  readonly path: string;
  /** EACCES or EPERM */
  readonly errno: string;

  constructor(path: string, errno: string) {
    super(`permission denied (${errno}) reading ${path}`);
    this.path = path;
    this.errno = errno;
  }
}

/** EACCES and EPERM: the file is there, this user may not read it. */
export function isPermissionError(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'EACCES' || code === 'EPERM';
}

/** The error to throw for a failed read of `path`: a StateAccessError for permissions, else `e` itself. */
export function accessErrorOf(path: string, e: unknown): unknown {
  return isPermissionError(e) ? new StateAccessError(path, e.code!) : e;
}

/** What a command prints when the lease cache cannot be read (it then exits 2). */
export function describeStateAccess(e: StateAccessError): string {
  return (
    `cannot read the lease cache: permission denied (${e.path}). ` +
    'The agent service opens its state directory to every user when it starts (restart it), or run this as the user the service runs as.'
  );
}

// Where the agent keeps its state, and the file names inside the state directory.
import path from 'node:path';

/** The default state directory per OS (the README, "The agent"). */
export function defaultStateDir(platform: NodeJS.Platform, programData?: string): string {
  if (platform === 'win32') return path.win32.join(programData ?? 'C:\\ProgramData', 'Seatkeeper');
  if (platform === 'darwin') return '/Library/Application Support/Seatkeeper';
  return '/var/lib/seatkeeper';
}

export function statePaths(dir: string) {
  return {
    dir,
    config: path.join(dir, 'config.json'),
    deviceKey: path.join(dir, 'device-key.json'),
    leases: path.join(dir, 'leases'),
    lease: (productCode: string) => path.join(dir, 'leases', `${productCode}.json`),
    products: path.join(dir, 'products.json'),
    inventory: path.join(dir, 'inventory.json'),
    session: path.join(dir, 'session.json'),
    clock: path.join(dir, 'clock.json'),
    status: path.join(dir, 'status.json'),
    logs: path.join(dir, 'logs'),
    /** where `check` leaves its answers (usage-spool.ts), writable by every local user */
    usageSpool: path.join(dir, 'usage'),
    /** spool files the daemon took, out of users' reach until counted */
    usageTaken: path.join(dir, 'usage-taken'),
    /** counted batches not yet acknowledged by the server */
    usageOutbox: path.join(dir, 'usage-outbox.json'),
  };
}
export type StatePaths = ReturnType<typeof statePaths>;

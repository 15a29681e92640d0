// What `status` reports: enrollment, the daemon's connection (from status.json and its age),
// who is signed in, and each known product's lease as `check` would judge it right now — known
// meaning leased, switched, or installed (per the daemon's last scan) with no lease at all.
import { peekLeaseClaims } from '../../shared/lease.js';
import type { AccountRef, ActivationMethod } from '../../shared/protocol/common.js';
import type { Clock } from '../clock.js';
import type { AgentConfig } from '../state/config.js';
import { listLeaseProducts, readLeaseFile } from '../state/lease-store.js';
import type { StatePaths } from '../state/paths.js';
import { readProducts } from '../state/products-file.js';
import { readSession } from '../state/session.js';
import { readDaemonStatus } from '../state/status-file.js';
import { readInventoryFile } from '../state/inventory-file.js';
import { checkProduct, describeCheck, type DenyReason } from './check.js';

/**
 * Whether the process that wrote status.json still runs. The daemon writes the file only when its
 * connection changes (an idle workstation sees no writes), so the file's age says nothing of
 * liveness: the process does. EPERM is a process that exists but is another user's (the service).
 */
export function processAlive(pid: number, kill: (pid: number, signal: 0) => unknown = (p, sig) => process.kill(p, sig)): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ProductStatus {
  productCode: string;
  method: ActivationMethod | null;
  state: 'valid' | DenyReason;
  /** human text as `check` prints it */
  detail: string;
  /** epoch ms, when a lease is held */
  expiresAt: number | null;
  subject: string | null;
  /** detected in the daemon's last scan; null when it has not scanned yet */
  installed: boolean | null;
}

export interface StatusReport {
  stateDir: string;
  enrolled: boolean;
  deviceId: string | null;
  organization: { id: string; name: string } | null;
  server: string | null;
  daemon: {
    /** connected per status.json, and its writer still runs */
    connected: boolean;
    /** epoch ms when the connection state last changed */
    since: number;
    /** ms since the daemon last wrote status.json (it writes when its connection changes) */
    ageMs: number;
    /** the daemon that wrote status.json no longer runs */
    stale: boolean;
    pid: number;
    lastError: string | null;
  } | null;
  signedIn: AccountRef | null;
  products: ProductStatus[];
}

export async function gatherStatus(paths: StatePaths, config: AgentConfig | null, clock: Clock, alive: (pid: number) => boolean = processAlive): Promise<StatusReport> {
  const now = clock.now();
  const daemonFile = await readDaemonStatus(paths);
  const daemon = daemonFile
    ? (() => {
        const ageMs = Math.max(0, now - daemonFile.updatedAt);
        const stale = !alive(daemonFile.pid);
        return { connected: daemonFile.connected && !stale, since: daemonFile.since, ageMs, stale, pid: daemonFile.pid, lastError: daemonFile.lastError };
      })()
    : null;
  const session = await readSession(paths);
  const report: StatusReport = {
    stateDir: paths.dir,
    enrolled: config !== null,
    deviceId: config?.deviceId ?? null,
    organization: config ? { id: config.orgId, name: config.orgName } : null,
    server: config?.server ?? null,
    daemon,
    signedIn: session?.account ?? null,
    products: [],
  };
  if (!config) return report;

  const methods = await readProducts(paths);
  const inventory = await readInventoryFile(paths);
  const installed = new Map((inventory?.items ?? []).map((i) => [i.productCode, i]));
  const codes = [...new Set([...(await listLeaseProducts(paths)), ...Object.keys(methods), ...installed.keys()])].sort();
  for (const productCode of codes) {
    const r = await checkProduct({ paths, config, productCode, clock, raiseClock: false });
    const file = await readLeaseFile(paths, productCode);
    const claims = file.kind === 'held' ? peekLeaseClaims(file.lease.token) : null;
    const item = installed.get(productCode);
    const method = methods[productCode]?.method ?? claims?.meth ?? null;
    report.products.push({
      productCode,
      method,
      state: r.ok ? 'valid' : r.reason,
      detail: !r.ok && r.reason === 'no-lease' && item ? whyNoLease(method, item.serial, report.signedIn) : describeCheck(r),
      expiresAt: claims ? claims.exp * 1000 : null,
      subject: claims?.sub ?? null,
      installed: inventory ? !!item : null,
    });
  }
  return report;
}

/**
 * Installed and no lease: a named-user product waits for someone to sign in; anything else (a
 * serial install, or a user with no seat for it) simply has no lease from the server.
 */
export function whyNoLease(method: ActivationMethod | null, serial: string | null, signedIn: AccountRef | null): string {
  if (!signedIn && method !== 'serial' && !serial) return 'installed, not signed in';
  return 'installed, no lease';
}

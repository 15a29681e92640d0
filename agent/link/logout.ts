// `logout`: drops the signed-in user's leases here at once, then tells the server, which revokes
// them ('signed-out') for good. Works offline too; the server is told next time if it cannot be now.
import type { AccountRef } from '../../shared/protocol/common.js';
import { applyGrant, applyReconcile, applyLeaseKeys, applyRevoke, dropLeasesOf } from './apply.js';
import { shortLink, shortLinkContext, type ShortLinkOptions } from './short-link.js';
import { readSession, writeSession } from '../state/session.js';

export interface LogoutOptions extends ShortLinkOptions {
  /** how long to try to reach the server and hear back (default 10 s) */
  timeoutMs?: number;
}

export interface LogoutResult {
  account: AccountRef | null;
  /** products whose lease was dropped locally */
  dropped: string[];
  /** the server confirmed: its reconcile after our logout says nobody is signed in here */
  serverNotified: boolean;
}

export async function runLogout(opts: LogoutOptions): Promise<LogoutResult> {
  const { paths, clock } = opts;
  const ctx = await shortLinkContext(opts);
  const account = (await readSession(paths))?.account ?? null;
  const dropped = account ? await dropLeasesOf(ctx, account) : [];
  await writeSession(paths, null, clock.now());

  let sent = false;
  let confirmed = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const overall = setTimeout(finish, opts.timeoutMs ?? 10_000);
  const link = shortLink(opts, {
    onWelcome: () => {
      sent = link.send({ type: 'logout', id: 'logout' });
      if (!sent) finish();
    },
    onFinalClose: () => finish(),
    onMessage: async (msg) => {
      switch (msg.type) {
        case 'reconcile':
          await applyReconcile(ctx, msg);
          // The server answers a logout with a reconcile (and its revocations) saying nobody is
          // signed in; the one a connection starts with says so only if that was already true.
          if (sent && msg.signedInAccount === null) {
            confirmed = true;
            // After this handler returns the link acks the reconcile: let that go out before closing.
            setImmediate(finish);
          }
          return;
        case 'lease.keys':
          await applyLeaseKeys(ctx, msg);
          return;
        case 'lease.revoke':
          await applyRevoke(ctx, msg);
          return;
        case 'lease.grant':
          // Serial-activated leases are not the user's and may still arrive.
          await applyGrant(ctx, msg.token);
          return;
        case 'inventory.request':
          return 'no-ack';
        default:
          return;
      }
    },
  });
  link.start();
  try {
    await finished;
  } finally {
    clearTimeout(overall);
    await link.close();
  }
  return { account, dropped, serverNotified: confirmed };
}

// `login`: device sign-in over the agent's own connection. Sends login.start, surfaces the code,
// and once the server says done, stores the leases of the reconcile that follows and returns.
import type { AccountRef } from '../../shared/protocol/common.js';
import type { LoginCode } from '../../shared/protocol/login.js';
import { applyGrant, applyReconcile, applyLeaseKeys, applyRevoke } from './apply.js';
import { shortLink, shortLinkContext, type ShortLinkOptions } from './short-link.js';
import { recordMethod } from '../state/products-file.js';
import { writeSession } from '../state/session.js';

export interface LoginOptions extends ShortLinkOptions {
  /** called once the code to show arrives */
  onCode: (code: LoginCode) => void;
  /** overall limit (default: the code's lifetime + 5 s, and 30 s to get a code) */
  timeoutMs?: number;
}

export type LoginResult =
  | { ok: true; account: AccountRef; products: string[] }
  | { ok: false; reason: string };

const LOGIN_START_ID = 'login-start';

export async function runLogin(opts: LoginOptions): Promise<LoginResult> {
  const { paths, clock, logger } = opts;
  const ctx = await shortLinkContext(opts);
  let account: AccountRef | null = null;
  let overall: NodeJS.Timeout | null = null;
  let finish!: (r: LoginResult) => void;
  const result = new Promise<LoginResult>((resolve) => (finish = resolve));
  let done = false;
  const end = (r: LoginResult) => {
    if (done) return;
    done = true;
    finish(r);
  };
  const armOverall = (ms: number) => {
    if (overall) clearTimeout(overall);
    overall = setTimeout(() => end({ ok: false, reason: account ? 'timed out waiting for leases' : 'timed out' }), ms);
  };
  armOverall(opts.timeoutMs ?? 30_000);

  const link = shortLink(opts, {
    onWelcome: () => {
      link.send({ type: 'login.start', id: LOGIN_START_ID });
    },
    onFinalClose: (code, reason) => end({ ok: false, reason: `connection closed (${code}${reason ? `: ${reason}` : ''})` }),
    onMessage: async (msg) => {
      switch (msg.type) {
        case 'login.code':
          opts.onCode(msg);
          if (opts.timeoutMs === undefined) armOverall(msg.expiresIn * 1000 + 5_000);
          return;
        case 'login.done':
          // The server sends the device's whole picture as a reconcile right after login.done, on
          // this socket: frames are handled in order, so the next reconcile is the one that counts.
          account = msg.account;
          await writeSession(paths, msg.account, clock.now());
          return;
        case 'login.failed':
          end({ ok: false, reason: msg.reason });
          return;
        case 'reconcile': {
          const r = await applyReconcile(ctx, msg);
          const held = r.grants.flatMap((g) => (g.result === 'stored' || g.result === 'unchanged' ? [g.productCode] : []));
          if (account) end({ ok: true, account, products: [...new Set(held)].sort() });
          return;
        }
        case 'lease.grant':
          await applyGrant(ctx, msg.token);
          return;
        case 'lease.keys':
          await applyLeaseKeys(ctx, msg);
          return;
        case 'lease.revoke':
          await applyRevoke(ctx, msg);
          return;
        case 'method.switch':
          await recordMethod(paths, msg.productCode, msg.method, clock.now());
          return;
        case 'inventory.request':
          // The daemon answers these; leave it unacked so the server hands it to the daemon's connection.
          return 'no-ack';
        case 'error':
          if (msg.ref === LOGIN_START_ID) end({ ok: false, reason: `${msg.code}: ${msg.message}` });
          else logger.warn('login: server reported an error', { code: msg.code, message: msg.message });
          return;
      }
    },
  });
  link.start();
  try {
    return await result;
  } finally {
    if (overall) clearTimeout(overall);
    await link.close();
  }
}

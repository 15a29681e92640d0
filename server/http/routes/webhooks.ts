// Webhooks: admins register, list and delete them and read the delivery log; a plugin hears the
// organization's feed and delivers each event, signed, retrying with backoff. Rules: domain/webhooks.ts.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { SeatkeeperError } from '../../../shared/errors.js';
import { CreateWebhookBody, WEBHOOK_EVENTS, type CreatedWebhook, type WebhookDeliveryView, type WebhookView } from '../../../shared/api/webhooks.js';
import { auditEvent } from '../../domain/audit.js';
import { isPrivateAddress, retryDelay, signDelivery, webhookEventOf } from '../../domain/webhooks.js';
import { newSecret } from '../../core/ids.js';
import type { FeedItem } from '../../core/events.js';
import type { Plugin } from '../../core/plugin.js';
import type { Services } from '../../core/services.js';
import type { Webhook, WebhookDelivery } from '../../domain/model.js';
import type { Router } from '../router.js';

const base = '/api/v1/orgs/:orgId/webhooks';
const MAX_WEBHOOKS = 20;
const LOG_KEPT = 500;
const TIMEOUT_MS = 10_000;

const view = (w: Webhook): WebhookView => ({ id: w.id, url: w.url, events: w.events as WebhookView['events'], createdAt: w.createdAt });

/** Refuses a target on the server's own network (unless the operator allowed it). */
async function checkTarget(s: Services, url: string): Promise<void> {
  if (s.config.webhooks?.allowPrivateTargets) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw new SeatkeeperError('VALIDATION_FAILED', `The webhook host ${host} does not resolve.`);
  }
  if (addresses.some(isPrivateAddress)) throw new SeatkeeperError('VALIDATION_FAILED', `The webhook host ${host} is on a private network; deliveries go to public addresses only.`);
}

async function record(s: Services, orgId: string, d: WebhookDelivery): Promise<void> {
  await s.store
    .tx((t) => {
      const doc = t.org(orgId);
      if (!doc) return;
      const log = (doc.webhookDeliveries ??= []);
      log.push(d);
      if (log.length > LOG_KEPT) log.splice(0, log.length - LOG_KEPT);
    })
    .catch((e: Error) => s.log.warn('webhook delivery log not written', { orgId, error: e.message }));
}

/**
 * POSTs `body` and resolves to the status. The address actually connected to is checked too (not
 * only the one resolved at registration), so a name re-pointed at a private address later
 * (DNS rebinding) is refused; redirects are not followed.
 */
function post(s: Services, url: string, headers: Record<string, string>, body: string): Promise<number> {
  const allowPrivate = !!s.config.webhooks?.allowPrivateTargets;
  const guarded = (host: string, opts: object, cb: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) =>
    dnsLookup(host, { ...opts, all: true }, (err, addresses) => {
      if (err) return cb(err, []);
      const list = addresses as LookupAddress[];
      if (!allowPrivate && list.some((a) => isPrivateAddress(a.address))) return cb(Object.assign(new Error(`${host} resolves to a private address`), { code: 'EPRIVATE' }), []);
      const all = (opts as { all?: boolean }).all;
      if (all) cb(null, list);
      else cb(null, list[0]!.address, list[0]!.family);
    });
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  // An address written in the URL is connected to without a lookup: check it here.
  const literal = u.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(literal) && isPrivateAddress(literal)) {
    return Promise.reject(Object.assign(new Error(`${literal} is a private address`), { code: 'EPRIVATE' }));
  }
  return new Promise((resolve, reject) => {
    const req = request(u, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: guarded as never, timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

/** Delivers one event to one webhook: attempts with backoff until a 2xx answer or the last delay. */
function deliver(s: Services, orgId: string, hook: Webhook, event: string, body: string, id: string, timers: Set<NodeJS.Timeout>, closed: () => boolean): void {
  const attempt = async (n: number): Promise<void> => {
    if (closed()) return;
    // Deleted meanwhile: no further attempts.
    if (!s.store.org(orgId)?.webhooks?.[hook.id]) return;
    const ts = Math.floor(s.clock() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await post(s, hook.url, {
        'content-type': 'application/json',
        'user-agent': 'Seatkeeper-Webhook/1',
        'x-seatkeeper-event': event,
        'x-seatkeeper-delivery': id,
        'x-seatkeeper-timestamp': String(ts),
        'x-seatkeeper-signature': signDelivery(hook.secret, ts, body),
      }, body);
    } catch (e) {
      error = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    }
    const ok = status !== null && status >= 200 && status < 300;
    const delay = ok ? null : retryDelay(n, s.config.webhooks?.retryDelaysMs);
    await record(s, orgId, { id, webhookId: hook.id, event, attempt: n, at: s.clock(), status, error, nextAttemptAt: delay === null ? null : s.clock() + delay });
    if (delay !== null && !closed()) {
      const t = setTimeout(() => {
        timers.delete(t);
        void attempt(n + 1);
      }, delay);
      t.unref();
      timers.add(t);
    }
  };
  void attempt(1);
}

export const webhooksPlugin: Plugin = {
  name: 'webhooks',
  start(s) {
    const timers = new Set<NodeJS.Timeout>();
    let isClosed = false;
    const onFeed = (item: FeedItem) => {
      const event = webhookEventOf(item);
      const hooks = event ? Object.values(s.store.org(item.orgId)?.webhooks ?? {}).filter((h) => h.events.includes(event)) : [];
      for (const hook of hooks) {
        const id = s.ids('whd');
        const body = JSON.stringify({ id, event, orgId: item.orgId, at: item.at, text: item.text, productCode: item.productCode ?? null, accountId: item.accountId ?? null, deviceId: item.deviceId ?? null });
        deliver(s, item.orgId, hook, event!, body, id, timers, () => isClosed);
      }
    };
    s.events.on('feed', onFeed);
    return {
      async close() {
        isClosed = true;
        s.events.off('feed', onFeed);
        for (const t of timers) clearTimeout(t);
      },
    };
  },
};

export function registerWebhooksRoutes(r: Router): void {
  r.add({
    method: 'GET',
    url: base,
    access: 'admin',
    summary: 'Registered webhooks (never their secrets).',
    handler: ({ org }) => ({ webhooks: Object.values(org.doc.webhooks ?? {}).map(view) }),
  });

  r.add({
    method: 'POST',
    url: base,
    access: 'admin',
    body: CreateWebhookBody,
    status: 201,
    summary: 'Register a URL for events; deliveries are signed with the secret shown once (HMAC-SHA256 over timestamp.body).',
    async handler({ s, org, account, body }): Promise<CreatedWebhook> {
      await checkTarget(s, body.url);
      const now = s.clock();
      const hook: Webhook = { id: s.ids('whk'), url: body.url, events: [...new Set(body.events ?? WEBHOOK_EVENTS)], secret: newSecret('whsec'), createdBy: account.id, createdAt: now };
      await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const hooks = (doc.webhooks ??= {});
        if (Object.keys(hooks).length >= MAX_WEBHOOKS) throw new SeatkeeperError('CONFLICT', `At most ${MAX_WEBHOOKS} webhooks per organization.`);
        hooks[hook.id] = hook;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'webhook.create', hook.id, null, view(hook)));
      });
      return { ...view(hook), secret: hook.secret };
    },
  });

  r.add({
    method: 'DELETE',
    url: `${base}/:webhookId`,
    access: 'admin',
    summary: 'Delete a webhook; pending retries stop.',
    async handler({ s, org, account, params }) {
      const now = s.clock();
      await s.store.tx((t) => {
        const doc = t.org(org.id)!;
        const hook = doc.webhooks?.[params.webhookId!];
        if (!hook) throw new SeatkeeperError('NOT_FOUND', 'No such webhook.');
        delete doc.webhooks![hook.id];
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'webhook.delete', hook.id, view(hook), null));
      });
      return { ok: true };
    },
  });

  r.add({
    method: 'GET',
    url: `${base}/:webhookId/deliveries`,
    access: 'admin',
    summary: 'The delivery log of a webhook, newest first: event, attempt, HTTP status or error, next attempt.',
    handler({ org, params }): { deliveries: WebhookDeliveryView[] } {
      const hook = org.doc.webhooks?.[params.webhookId!];
      if (!hook) throw new SeatkeeperError('NOT_FOUND', 'No such webhook.');
      const log = (org.doc.webhookDeliveries ?? []).filter((d) => d.webhookId === hook.id).reverse();
      return { deliveries: log.map((d) => ({ ...d, event: d.event as WebhookDeliveryView['event'] })) };
    },
  });
}

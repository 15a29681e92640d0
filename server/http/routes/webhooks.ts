// Webhooks: admins register, list and delete them and read the delivery log; a plugin hears the
// organization's feed (and seat limits reached) and delivers each event, signed, retrying with
// backoff, its attempts logged in batches (webhook-log.ts). Rules: domain/webhooks.ts.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { SeatkeeperError } from '../../../shared/errors.js';
import { CreateWebhookBody, WEBHOOK_EVENTS, type CreatedWebhook, type WebhookDeliveryView, type WebhookEvent, type WebhookView } from '../../../shared/api/webhooks.js';
import { auditEvent } from '../../domain/audit.js';
import { isPrivateAddress, retryDelay, signDelivery, webhookEventOf, type SeatLimit } from '../../domain/webhooks.js';
import { newSecret } from '../../core/ids.js';
import type { FeedItem, SeatLimitReached } from '../../core/events.js';
import type { Plugin } from '../../core/plugin.js';
import type { Services } from '../../core/services.js';
import type { Webhook, WebhookDelivery } from '../../domain/model.js';
import type { Router } from '../router.js';
import { defaultDeliveryLogOptions, DeliveryLog } from '../webhook-log.js';

const base = '/api/v1/orgs/:orgId/webhooks';
const MAX_WEBHOOKS = 20;
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

/** The running plugin's delivery log, for the route that lists it (attempts not committed yet included). */
const deliveryLogs = new WeakMap<Services, DeliveryLog>();

/** Raised after the assign or accept that filled the lines is durable (see seatLimitsReached). */
export function announceSeatLimits(s: Services, orgId: string, at: number, limits: readonly SeatLimit[]): void {
  for (const l of limits) s.events.emit('seat-limit', { orgId, at, ...l });
}

/**
 * POSTs `body` and resolves to the status. The address actually connected to is checked too (not
 * only the one resolved at registration), so a name re-pointed at a private address later
 * (DNS rebinding) is refused; redirects are not followed.
 */
function post(s: Services, url: string, headers: Record<string, string>, body: string, inFlight: Set<ClientRequest>): Promise<number> {
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
    const req: ClientRequest = request(u, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: guarded as never, timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    // A shutdown cuts what is in flight short (the attempt is logged as failed, not lost).
    inFlight.add(req);
    req.on('close', () => inFlight.delete(req));
    req.end(body);
  });
}

interface Delivering {
  log: DeliveryLog;
  timers: Set<NodeJS.Timeout>;
  inFlight: Set<ClientRequest>;
  attempts: Set<Promise<void>>;
  closed(): boolean;
}

/** Delivers one event to one webhook: attempts with backoff until a 2xx answer or the last delay. */
function deliver(s: Services, orgId: string, hook: Webhook, event: string, body: string, id: string, ctx: Delivering): void {
  const { timers, closed } = ctx;
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
      }, body, ctx.inFlight);
    } catch (e) {
      error = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    }
    const ok = status !== null && status >= 200 && status < 300;
    // Retries live in memory: an attempt cut short by a shutdown is logged as the last one.
    const delay = ok || closed() ? null : retryDelay(n, s.config.webhooks?.retryDelaysMs);
    ctx.log.add(orgId, { id, webhookId: hook.id, event, attempt: n, at: s.clock(), status, error, nextAttemptAt: delay === null ? null : s.clock() + delay });
    if (delay !== null && !closed()) {
      const t = setTimeout(() => {
        timers.delete(t);
        run(n + 1);
      }, delay);
      t.unref();
      timers.add(t);
    }
  };
  // Tracked so a shutdown waits for attempts under way to be logged.
  const run = (n: number) => {
    const p = attempt(n).catch((e: Error) => void s.log.error('webhook attempt failed', { orgId, webhookId: hook.id, error: e.message }));
    ctx.attempts.add(p);
    void p.finally(() => ctx.attempts.delete(p));
  };
  run(1);
}

export const webhooksPlugin: Plugin = {
  name: 'webhooks',
  start(s) {
    let isClosed = false;
    const log = new DeliveryLog(s.store, s.log, { ...defaultDeliveryLogOptions, ...s.config.webhooks?.log });
    deliveryLogs.set(s, log);
    const ctx: Delivering = { log, timers: new Set(), inFlight: new Set(), attempts: new Set(), closed: () => isClosed };
    const send = (orgId: string, event: WebhookEvent, fields: () => object) => {
      const hooks = Object.values(s.store.org(orgId)?.webhooks ?? {}).filter((h) => h.events.includes(event));
      for (const hook of hooks) {
        const id = s.ids('whd');
        deliver(s, orgId, hook, event, JSON.stringify({ id, event, orgId, ...fields() }), id, ctx);
      }
    };
    const onFeed = (item: FeedItem) => {
      const event = webhookEventOf(item);
      if (event) send(item.orgId, event, () => ({ at: item.at, text: item.text, productCode: item.productCode ?? null, accountId: item.accountId ?? null, deviceId: item.deviceId ?? null }));
    };
    const onSeatLimit = (l: SeatLimitReached) =>
      send(l.orgId, 'seat.limit-reached', () => ({
        at: l.at,
        text: `All ${l.seats} seats of ${l.productCode} on contract ${l.contractNumber} are assigned.`,
        productCode: l.productCode,
        lineId: l.lineId,
        contractNumber: l.contractNumber,
        seats: l.seats,
      }));
    s.events.on('feed', onFeed);
    s.events.on('seat-limit', onSeatLimit);
    return {
      async close() {
        if (isClosed) return;
        isClosed = true;
        s.events.off('feed', onFeed);
        s.events.off('seat-limit', onSeatLimit);
        for (const t of ctx.timers) clearTimeout(t);
        for (const req of ctx.inFlight) req.destroy(Object.assign(new Error('server shutting down'), { code: 'ESHUTDOWN' }));
        await Promise.all([...ctx.attempts]);
        await log.close();
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
    handler({ s, org, params }): { deliveries: WebhookDeliveryView[] } {
      const hook = org.doc.webhooks?.[params.webhookId!];
      if (!hook) throw new SeatkeeperError('NOT_FOUND', 'No such webhook.');
      const waiting = deliveryLogs.get(s)?.pending(org.id) ?? [];
      const seen = new Set<string>();
      const log = [...(org.doc.webhookDeliveries ?? []), ...waiting]
        .filter((d) => d.webhookId === hook.id && !seen.has(`${d.id}/${d.attempt}`) && seen.add(`${d.id}/${d.attempt}`))
        .reverse();
      return { deliveries: log.map((d) => ({ ...d, event: d.event as WebhookDeliveryView['event'] })) };
    },
  });
}

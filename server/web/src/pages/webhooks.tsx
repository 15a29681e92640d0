// Webhooks: an admin registers a URL for events (the signing secret shown once), deletes it, and
// reads its delivery log (each attempt: event, HTTP status or error, the next attempt if any).
import { useState } from 'preact/hooks';
import { WEBHOOK_EVENTS, type CreatedWebhook, type CreateWebhookBody, type WebhookDeliveryView, type WebhookEvent, type WebhookView } from '../../../../shared/api/webhooks.js';
import { api, orgPath } from '../api.js';
import { Check, ConfirmButton, Empty, ErrorNote, Field, Form, Loading, PageHeader, RowError, ScrollBox, Submit, TableHead } from '../components.js';
import { dateTime } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { useOrg } from '../session.js';

const eventLabel: Record<WebhookEvent, string> = {
  'seat.changed': 'Seat assigned, unassigned or reassigned',
  'seat.limit-reached': 'Seat limit reached (every seat of a contract line assigned)',
  'member.changed': 'Member joined, left or changed role',
  'device.changed': 'Workstation enrolled or revoked',
  'switch.applied': 'Activation method switched',
  'lease.granted': 'Lease granted',
  'lease.revoked': 'Lease revoked',
  'sign-in.refused': 'Sign-in refused',
  'denials.above-threshold': 'Refused checks above the threshold',
};

export function WebhooksPage() {
  const org = useOrg();
  const base = orgPath(org.orgId, '/webhooks');
  const hooks = useApi<{ webhooks: WebhookView[] }>(base);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<Set<WebhookEvent>>(new Set(WEBHOOK_EVENTS));
  const [created, setCreated] = useState<CreatedWebhook | undefined>(undefined);
  const [shown, setShown] = useState<string | null>(null);
  const create = useAction(async () => {
    const body: CreateWebhookBody = { url, events: WEBHOOK_EVENTS.filter((e) => events.has(e)) };
    setCreated(await api.post<CreatedWebhook>(base, body));
    setUrl('');
    await hooks.reload();
  });
  const toggle = (e: WebhookEvent, on: boolean) => {
    const next = new Set(events);
    if (on) next.add(e);
    else next.delete(e);
    setEvents(next);
  };
  const list = hooks.data?.webhooks ?? [];
  return (
    <div class="webhooks">
      <PageHeader title="Webhooks" />
      <p class="aside">
        Each event is a JSON <code>POST</code> to your URL, signed: <code>x-seatkeeper-signature: v1=</code> the HMAC-SHA256, with the webhook's secret, of the
        <code> x-seatkeeper-timestamp</code> header, a dot and the body. A delivery not answered with 2xx is tried again later.
      </p>
      <section class="card">
        <h2>Register a webhook</h2>
        <Form onSubmit={create.run} label="Register a webhook">
          <Field label="URL" name="url" type="url" required placeholder="https://hooks.example.com/seatkeeper" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
          <fieldset>
            <legend>Events</legend>
            {WEBHOOK_EVENTS.map((e) => (
              <Check key={e} label={`${eventLabel[e]} (${e})`} checked={events.has(e)} onChange={(on) => toggle(e, on)} />
            ))}
          </fieldset>
          <Submit action={create} disabled={events.size === 0}>
            Register webhook
          </Submit>
        </Form>
      </section>
      {created && (
        <div class="card created-token" role="status">
          <p>
            Webhook for <strong>{created.url}</strong> registered. Its signing secret, shown this once: keep it where your receiver checks signatures.
          </p>
          <pre class="command" data-secret>
            {created.secret}
          </pre>
        </div>
      )}
      <ErrorNote error={hooks.error} />
      {!hooks.data ? (
        !hooks.error && <Loading what="webhooks" />
      ) : list.length === 0 ? (
        <Empty>No webhooks yet.</Empty>
      ) : (
        <ScrollBox label="Webhooks">
          <table class="webhook-list">
            <TableHead cols={['URL', 'Events', 'Registered']} actions />
            <tbody>
              {list.map((h) => (
                <HookRow key={h.id} hook={h} base={base} shown={shown === h.id} onShow={() => setShown(shown === h.id ? null : h.id)} reload={hooks.reload} />
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {shown && list.some((h) => h.id === shown) && <DeliveryLog base={base} hook={list.find((h) => h.id === shown)!} />}
    </div>
  );
}

function HookRow({ hook, base, shown, onShow, reload }: { hook: WebhookView; base: string; shown: boolean; onShow(): void; reload(): Promise<void> }) {
  const remove = useAction(async () => {
    await api.del(`${base}/${encodeURIComponent(hook.id)}`);
    await reload();
  });
  return (
    <>
      <tr data-webhook={hook.url}>
        <td>{hook.url}</td>
        <td>{hook.events.join(', ')}</td>
        <td>{dateTime(hook.createdAt)}</td>
        <td class="actions">
          <button type="button" aria-pressed={shown} onClick={onShow}>
            Delivery log
          </button>
          <ConfirmButton label="Delete" question={`Delete the webhook for ${hook.url}? Pending retries stop.`} confirmLabel="Yes, delete" disabled={remove.pending} onConfirm={() => void remove.run()} />
        </td>
      </tr>
      <RowError error={remove.error} cols={4} />
    </>
  );
}

function DeliveryLog({ base, hook }: { base: string; hook: WebhookView }) {
  const log = useApi<{ deliveries: WebhookDeliveryView[] }>(`${base}/${encodeURIComponent(hook.id)}/deliveries`);
  const result = (d: WebhookDeliveryView) => (d.status !== null ? `HTTP ${d.status}` : (d.error ?? 'no answer'));
  return (
    <section class="delivery-log" aria-label={`Delivery log of ${hook.url}`}>
      <h2>Delivery log</h2>
      <p class="aside">
        {hook.url}, newest first.{' '}
        <button type="button" onClick={() => void log.reload()} disabled={log.loading}>
          Refresh
        </button>
      </p>
      <ErrorNote error={log.error} />
      {!log.data ? (
        !log.error && <Loading what="the delivery log" />
      ) : log.data.deliveries.length === 0 ? (
        <Empty>Nothing delivered yet.</Empty>
      ) : (
        <ScrollBox label="Delivery log">
          <table class="deliveries">
            <TableHead cols={['When', 'Event', 'Attempt', 'Result', 'Next attempt']} />
            <tbody>
              {log.data.deliveries.map((d) => (
                <tr key={`${d.id}-${d.attempt}`} data-delivery={d.id} data-ok={d.status !== null && d.status >= 200 && d.status < 300}>
                  <td>{dateTime(d.at)}</td>
                  <td>{d.event}</td>
                  <td class="num">{d.attempt}</td>
                  <td data-col="result">{result(d)}</td>
                  <td>{d.nextAttemptAt === null ? '—' : dateTime(d.nextAttemptAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}

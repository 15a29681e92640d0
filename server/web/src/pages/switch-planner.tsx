// The activation-method switch planner for one contract line: who and what would lose access,
// whether to give seats to the people using the product now, then switch now or at a set time.
import { useEffect, useRef, useState } from 'preact/hooks';
import { announce } from '../a11y.js';
import type { ContractView } from '../../../../shared/api/contracts.js';
import type { MethodSwitchView, SwitchApplyBody, SwitchApplyReply, SwitchPlanBody, SwitchPlanView } from '../../../../shared/api/switches.js';
import { api, orgPath } from '../api.js';
import { Check, ConfirmButton, Empty, ErrorNote, Field, Form, FormErrorNote, Loading, PageHeader, ScrollBox } from '../components.js';
import { dateTime, methodLabel } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { Link } from '../router.js';
import { useOrg } from '../session.js';

type Method = SwitchPlanBody['to'];

export const switchPaths = {
  plan: (lineId: string) => `/lines/${lineId}/switch/plan`,
  apply: (lineId: string) => `/lines/${lineId}/switch/apply`,
  list: '/switches',
  cancel: (id: string) => `/switches/${id}`,
};

export function SwitchPlannerPage({ lineId }: { lineId: string }) {
  const org = useOrg();
  const contracts = useApi<{ contracts: ContractView[] }>(orgPath(org.orgId, '/contracts'));
  const found = contracts.data?.contracts.flatMap((c) => c.lines.map((l) => ({ c, l }))).find((x) => x.l.id === lineId);
  const [to, setTo] = useState<Method | undefined>(undefined);
  const [autoAssign, setAutoAssign] = useState(true);
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [runAt, setRunAt] = useState('');
  const [plan, setPlan] = useState<SwitchPlanView | undefined>(undefined);
  const [applied, setApplied] = useState<SwitchApplyReply | undefined>(undefined);
  // "Switch now" asks once more (it cannot be undone by waiting); focus starts on the safe answer.
  const [asking, setAsking] = useState(false);
  const keep = useRef<HTMLButtonElement>(null);
  const submit = useRef<HTMLButtonElement>(null);
  const answered = useRef(false);
  useEffect(() => {
    if (asking) keep.current?.focus();
    else if (answered.current) submit.current?.focus();
  }, [asking]);
  const done = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (!applied) return;
    done.current?.focus();
    announce(applied.switch.status === 'scheduled' ? `Switch of ${applied.switch.productCode ?? 'the line'} scheduled.` : 'Activation method switched.');
  }, [applied]);
  const target: Method | undefined = to ?? (found ? (found.l.method === 'serial' ? 'named-user' : 'serial') : undefined);

  const preview = useAction(async (t: Method, auto: boolean) => {
    setPlan(await api.post<SwitchPlanView>(orgPath(org.orgId, switchPaths.plan(lineId)), { to: t, autoAssign: auto } satisfies SwitchPlanBody));
  });
  const apply = useAction(async () => {
    if (!target) return;
    const body: SwitchApplyBody = { to: target, autoAssign, ...(when === 'later' && runAt ? { runAt: new Date(runAt).getTime() } : {}) };
    setApplied(await api.post<SwitchApplyReply>(orgPath(org.orgId, switchPaths.apply(lineId)), body));
  });
  useEffect(() => {
    if (target && !applied) void preview.run(target, autoAssign);
  }, [target, autoAssign]);

  if (contracts.error) return <ErrorNote error={contracts.error} />;
  if (!contracts.data) return <Loading what="the contract line" />;
  if (!found || !target) return <Empty>No such contract line. <Link href="/products">Back to products</Link></Empty>;
  const { c, l } = found;

  if (applied) {
    const s = applied.switch;
    return (
      <section class="narrow card confirmation">
        <h1 ref={done} tabIndex={-1}>
          {s.status === 'scheduled' ? 'Switch scheduled' : 'Activation method switched'}
        </h1>
        <p>
          {l.productName} on contract {c.number}: {methodLabel(s.from)} → <strong>{methodLabel(s.to)}</strong>
          {s.status === 'scheduled' ? `, on ${dateTime(s.runAt)}.` : '.'}
        </p>
        {applied.plan.wouldAssign.length > 0 && <p>Seats {s.status === 'scheduled' ? 'will be' : 'were'} assigned to {applied.plan.wouldAssign.map((p) => p.email).join(', ')}.</p>}
        <p>
          <Link class="button primary" href="/products">
            Back to products
          </Link>
        </p>
      </section>
    );
  }

  return (
    <div class="planner">
      <p class="crumbs">
        <Link href="/products">Products</Link> /
      </p>
      <PageHeader title={`Switch ${l.productCode} activation method`} />
      <p>
        {l.productName}, contract {c.number}: {l.seats} seats, {l.assigned} assigned. Now: <strong data-current-method>{methodLabel(l.method)}</strong>.
      </p>
      <Form class="card" onSubmit={() => (when === 'now' ? ((answered.current = false), setAsking(true)) : apply.run())} label="Switch">
        <fieldset>
          <legend>Switch to</legend>
          {(['named-user', 'serial'] as const).map((m) => (
            <label class="check" key={m}>
              <input type="radio" name="to" value={m} checked={target === m} disabled={m === l.method} onChange={() => setTo(m)} /> {methodLabel(m)}
              {m === l.method && <span class="muted"> (current)</span>}
            </label>
          ))}
        </fieldset>
        {target === 'named-user' && (
          <Check label="Assign seats to the people using the product now, as far as seats allow" checked={autoAssign} onChange={setAutoAssign} />
        )}

        <h2>Impact</h2>
        <ErrorNote error={preview.error} />
        {!plan ? (
          !preview.error && <Loading what="the impact" />
        ) : (
          <Impact plan={plan} />
        )}

        <fieldset>
          <legend>When</legend>
          <label class="check">
            <input type="radio" name="when" value="now" checked={when === 'now'} onChange={() => setWhen('now')} /> Now
          </label>
          <label class="check">
            <input type="radio" name="when" value="later" checked={when === 'later'} onChange={() => setWhen('later')} /> At a set time
          </label>
          {when === 'later' && <Field label="Switch at" type="datetime-local" name="run-at" required value={runAt} onInput={(e) => setRunAt(e.currentTarget.value)} />}
        </fieldset>
        <FormErrorNote error={apply.error} />
        {asking && when === 'now' ? (
          <span class="confirm" role="group" aria-label="Switch now?">
            <span>
              Switch {l.productCode} to {methodLabel(target)} now?{plan && plan.losesAccess.devices.length + plan.losesAccess.users.length > 0 ? ' Some lose access at once.' : ''}
            </span>{' '}
            <button type="button" class="danger" disabled={apply.pending} onClick={() => (setAsking(false), void apply.run())}>
              Yes, switch now
            </button>{' '}
            <button ref={keep} type="button" onClick={() => ((answered.current = true), setAsking(false))}>
              Keep {methodLabel(l.method)}
            </button>
          </span>
        ) : (
          <button ref={submit} type="submit" class="primary" disabled={apply.pending || !plan}>
            {when === 'now' ? 'Switch now' : 'Schedule switch'}
          </button>
        )}
      </Form>
    </div>
  );
}

function Impact({ plan }: { plan: SwitchPlanView }) {
  const { devices, users } = plan.losesAccess;
  return (
    <div class="impact" data-impact>
      <p data-impact-summary>
        {devices.length === 0 && users.length === 0
          ? 'Nobody loses access.'
          : `${devices.length} device${devices.length === 1 ? '' : 's'} and ${users.length} user${users.length === 1 ? '' : 's'} would lose access.`}{' '}
        {plan.keepsAccess.devices.length > 0 && `${plan.keepsAccess.devices.length} device(s) keep access.`}
      </p>
      {(devices.length > 0 || users.length > 0) && (
        <ScrollBox label="Who would lose access"><table class="impact-table">
          <caption>Would lose access</caption>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Signed in</th>
            </tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <tr key={d.deviceId} data-loses-device={d.hostname}>
                <td>{d.hostname}</td>
                <td>{d.email ?? <span class="muted">nobody (serial activation)</span>}</td>
              </tr>
            ))}
            {users
              .filter((u) => !devices.some((d) => d.accountId === u.accountId))
              .map((u) => (
                <tr key={u.accountId} data-loses-user={u.email}>
                  <td class="muted">—</td>
                  <td>{u.email}</td>
                </tr>
              ))}
          </tbody>
        </table></ScrollBox>
      )}
      {plan.to === 'named-user' && (
        <p data-would-assign>
          {plan.autoAssign
            ? plan.wouldAssign.length
              ? `Seats would be assigned to: ${plan.wouldAssign.map((p) => p.email).join(', ')}.`
              : 'No seat would be assigned automatically.'
            : 'No seats are assigned automatically; only people already holding a seat keep access.'}{' '}
          ({plan.assigned} of {plan.seats} seats assigned now.)
        </p>
      )}
    </div>
  );
}

/** Scheduled switches of the organization, with cancel; shown on the products page. */
export function ScheduledSwitches() {
  const org = useOrg();
  const list = useApi<{ switches: MethodSwitchView[] }>(orgPath(org.orgId, switchPaths.list));
  const cancel = useAction(async (id: string) => {
    await api.del(orgPath(org.orgId, switchPaths.cancel(id)));
    await list.reload();
    announce('Scheduled switch cancelled.');
  });
  const scheduled = list.data?.switches.filter((s) => s.status === 'scheduled') ?? [];
  if (list.error) return <ErrorNote error={list.error} />;
  if (scheduled.length === 0) return null;
  return (
    <section class="card scheduled">
      <h2>Scheduled method switches</h2>
      <ErrorNote error={cancel.error} />
      <ScrollBox label="Scheduled switches"><table>
        <tbody>
          {scheduled.map((s) => (
            <tr key={s.id} data-switch={s.productCode ?? s.lineId}>
              <td>
                {s.productCode}: {methodLabel(s.from)} → {methodLabel(s.to)}
              </td>
              <td>{dateTime(s.runAt)}</td>
              <td class="actions">
                <ConfirmButton label="Cancel switch" question="Cancel this switch?" confirmLabel="Yes, cancel it" onConfirm={() => void cancel.run(s.id)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table></ScrollBox>
    </section>
  );
}

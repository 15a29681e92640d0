// Idle seats and refused checks, from the `check` answers the agents report: seats nobody used
// for N days with a one-click reclaim, and the unmet demand (refusals per product per day as a
// chart with its table, and every refusal: who, where, product, why), each with its CSV.
import { useState } from 'preact/hooks';
import type { DenialDay, DenialsReport, IdleSeatRow, IdleSeatsReport, ReclaimResult } from '../../../../shared/api/check-reports.js';
import { api, orgPath } from '../api.js';
import { ConfirmButton, Empty, ErrorNote, Field, Form, Loading, PageHeader, RowError, ScrollBox, Select, Submit, TableHead } from '../components.js';
import { dateTime, plural } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { useOrg } from '../session.js';

const IDLE_CHOICES = [7, 30, 60, 90];
const DENIAL_DAYS = 30;

export function SeatUsePage() {
  return (
    <div class="seat-use">
      <PageHeader title="Idle seats and denials" />
      <p class="aside">From what the workstations report: each time a product starts, the agent's check is counted (allowed, or refused and why) and sent to the server every few minutes.</p>
      <IdleSeats />
      <Denials />
    </div>
  );
}

function IdleSeats() {
  const org = useOrg();
  const [days, setDays] = useState('30');
  const report = useApi<IdleSeatsReport>(orgPath(org.orgId, `/reports/idle-seats?days=${days}`));
  const [reclaimed, setReclaimed] = useState<string | null>(null);
  return (
    <section aria-labelledby="idle-heading">
      <h2 id="idle-heading">Idle seats</h2>
      <div class="filters">
        <Select label="Not used for" name="idle-days" value={days} onChange={(e) => setDays(e.currentTarget.value)}>
          {IDLE_CHOICES.map((d) => (
            <option key={d} value={String(d)}>
              {d} days or more
            </option>
          ))}
        </Select>
        <a class="button" href={orgPath(org.orgId, `/reports/idle-seats?days=${days}&format=csv`)} download>
          Download CSV
        </a>
      </div>
      {reclaimed && (
        <p class="success" role="status">
          {reclaimed}
        </p>
      )}
      <ErrorNote error={report.error} />
      {!report.data ? (
        !report.error && <Loading what="idle seats" />
      ) : report.data.rows.length === 0 ? (
        <Empty>No seat has gone unused for {days} days.</Empty>
      ) : (
        <ScrollBox label="Idle seats">
          <table class="idle-seats">
            <caption>{plural(report.data.rows.length, 'seat')} not used for {days} days or more, longest idle first</caption>
            <TableHead cols={['Member', 'Product', 'Contract', 'Last used', 'Idle']} actions />
            <tbody>
              {report.data.rows.map((r) => (
                <IdleRow key={r.assignmentId} r={r} onReclaimed={async (text) => (setReclaimed(text), await report.reload())} />
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}

function IdleRow({ r, onReclaimed }: { r: IdleSeatRow; onReclaimed(text: string): Promise<void> }) {
  const org = useOrg();
  const reclaim = useAction(async () => {
    const done = await api.post<ReclaimResult>(orgPath(org.orgId, `/reports/idle-seats/${r.assignmentId}/reclaim`), { idleDays: r.idleDays });
    await onReclaimed(`Reclaimed ${r.productName} from ${r.email} (idle ${plural(done.idleDays, 'day')}); they were told by mail.`);
  });
  return (
    <>
      <tr data-assignment={r.assignmentId}>
        <td>
          {r.name ? (
            <>
              {r.name}
              <br />
              <small class="muted">{r.email}</small>
            </>
          ) : (
            r.email
          )}
        </td>
        <td>{r.productName}</td>
        <td>{r.contractNumber}</td>
        <td data-col="last-used">{r.lastUsedAt === null ? <span class="muted">never (assigned {dateTime(r.assignedAt)})</span> : dateTime(r.lastUsedAt)}</td>
        <td data-col="idle" class="num">
          {plural(r.idleDays, 'day')}
        </td>
        <td class="actions">
          <ConfirmButton
            label="Reclaim seat"
            question={`Take ${r.productName} back from ${r.email}? They lose it now and are told by mail.`}
            confirmLabel="Yes, reclaim"
            disabled={reclaim.pending}
            onConfirm={() => void reclaim.run()}
          />
        </td>
      </tr>
      <RowError error={reclaim.error} cols={6} />
    </>
  );
}

function Denials() {
  const org = useOrg();
  const report = useApi<DenialsReport>(orgPath(org.orgId, `/reports/denials?days=${DENIAL_DAYS}`));
  return (
    <section aria-labelledby="denials-heading">
      <h2 id="denials-heading">Refused checks</h2>
      <div class="filters">
        <a class="button" href={orgPath(org.orgId, `/reports/denials?days=${DENIAL_DAYS}&format=csv`)} download>
          Download CSV
        </a>
      </div>
      <ErrorNote error={report.error} />
      {!report.data ? (
        !report.error && <Loading what="refused checks" />
      ) : (
        <>
          {report.data.total === 0 ? (
            <Empty>No check was refused in the last {DENIAL_DAYS} days.</Empty>
          ) : (
            <>
              <DenialsChart perDay={report.data.perDay} from={report.data.from} to={report.data.to} />
              <ScrollBox label="Refused checks">
                <table class="denials">
                  <caption>Refused checks, latest first: {plural(report.data.total, 'refusal')} from {report.data.from} to {report.data.to} (UTC)</caption>
                  <TableHead cols={['Last', 'Product', 'Reason', 'Count', 'Workstation', 'Member', 'Local user']} />
                  <tbody>
                    {report.data.rows.map((d) => (
                      <tr key={d.id} data-product={d.productCode}>
                        <td>{dateTime(d.last)}</td>
                        <td>{d.productCode}</td>
                        <td>{d.reason}</td>
                        <td class="num">{d.count}</td>
                        <td>{d.hostname}</td>
                        <td>{d.email ?? <span class="muted">nobody signed in</span>}</td>
                        <td>{d.user ?? <span class="muted">unknown</span>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollBox>
            </>
          )}
          <Threshold current={report.data.threshold} saved={report.reload} />
        </>
      )}
    </section>
  );
}

/** Refusals per day (all products stacked into one bar a day), drawn as SVG; the table below says the same in words. */
function DenialsChart({ perDay, from, to }: { perDay: DenialDay[]; from: string; to: string }) {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  const totals = new Map<string, number>();
  for (const d of perDay) totals.set(d.day, (totals.get(d.day) ?? 0) + d.count);
  const max = Math.max(1, ...totals.values());
  const w = 12;
  return (
    <div class="chart-frame">
      <svg class="denials-chart" role="img" aria-label={`Refused checks per day from ${from} to ${to}, at most ${max} in a day; the numbers follow in a table`} viewBox={`0 0 ${days.length * w} 100`} preserveAspectRatio="none" width="100%" height="120">
        {days.map((d, i) => {
          const h = ((totals.get(d) ?? 0) / max) * 96;
          return <rect key={d} x={i * w + 1} y={100 - h} width={w - 2} height={h} fill="#a83246" />;
        })}
      </svg>
      <details class="chart-numbers">
        <summary>The numbers behind the chart</summary>
        <table class="denials-per-day">
          <caption>Refused checks per product per day (UTC), days with none left out</caption>
          <TableHead cols={['Day', 'Product', 'Refused']} />
          <tbody>
            {perDay.map((d) => (
              <tr key={`${d.day}|${d.productCode}`}>
                <td>{d.day}</td>
                <td>{d.productCode}</td>
                <td class="num">{d.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

function Threshold({ current, saved }: { current: number; saved(): Promise<void> }) {
  const org = useOrg();
  const [value, setValue] = useState(String(current));
  const save = useAction(async () => {
    await api.put(orgPath(org.orgId, '/reports/denials/threshold'), { threshold: Number(value) });
    await saved();
  });
  return (
    <Form onSubmit={save.run} class="inline-form" label="Denial alert threshold">
      <Field
        label="Alert webhooks when a product is refused this many times in a day"
        name="threshold"
        type="number"
        min={1}
        required
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
        hint={`Now ${current}. Subscribe a webhook to denials.above-threshold to hear of it.`}
      />
      <Submit action={save}>Save threshold</Submit>
    </Form>
  );
}

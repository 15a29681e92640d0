// The live seat dashboard: seats per product (owned / assigned / in use / free), devices online,
// the feed of grants, revocations, sign-ins and switches, and utilization over the last 24 hours.
import type { FeedItemView } from '../../../../shared/api/live.js';
import type { UsageReply } from '../../../../shared/api/usage.js';
import { orgPath } from '../api.js';
import { UsageChart } from '../chart.js';
import { Badge, Empty, ErrorNote, Loading, PageHeader, SeatBar, ScrollBox } from '../components.js';
import { plural, time } from '../format.js';
import { useApi } from '../hooks.js';
import { useLive, type LiveStatus } from '../live.js';
import { Link } from '../router.js';
import { useOrg } from '../session.js';

const feedLabel: Record<FeedItemView['kind'], string> = {
  grant: 'Granted',
  revoke: 'Revoked',
  'sign-in': 'Signed in',
  'sign-in-failed': 'Sign-in refused',
  'method-switch': 'Method switch',
  assignment: 'Assignment',
  member: 'Member',
  device: 'Device',
  denials: 'Denials',
};

const statusText: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  ended: 'Live updates ended: sign in again as an administrator',
};

export function DashboardPage() {
  const org = useOrg();
  const live = useLive(org.orgId);
  const usage = useApi<UsageReply>(orgPath(org.orgId, '/usage?hours=24'));
  const s = live.summary;
  const totals = s?.seats.products.reduce((t, p) => ({ owned: t.owned + p.owned, assigned: t.assigned + p.assigned, inUse: t.inUse + p.inUse }), { owned: 0, assigned: 0, inUse: 0 });
  const stored = usage.data?.samples ?? [];
  const samples = [...stored, ...live.samples];
  // The newest sample the usage job stored (the chart also draws live ones, which are not stored).
  const lastStored = stored.reduce<(typeof stored)[number] | undefined>((a, b) => (!a || b.at > a.at ? b : a), undefined);
  const codes = s?.seats.products.map((p) => p.productCode) ?? [];
  const methods = (code: string) => [...new Set(s?.seats.lines.filter((l) => l.productCode === code && l.active).map((l) => l.method))];

  return (
    <div class="dashboard">
      <PageHeader title="Dashboard">
        <span class={`live-status ${live.status}`} role="status" aria-live="polite">
          {statusText[live.status]}
        </span>
      </PageHeader>
      {!s ? (
        <Loading what="seats" />
      ) : (
        <>
          <div class="tiles">
            <div class="tile" data-tile="devices">
              <span class="tile-label">Devices online</span>
              <span class="tile-value">
                {s.devices.online} <small>/ {s.devices.total}</small>
              </span>
            </div>
            <div class="tile" data-tile="in-use">
              <span class="tile-label">Seats in use now</span>
              <span class="tile-value">{totals!.inUse}</span>
            </div>
            <div class="tile" data-tile="assigned">
              <span class="tile-label">Seats assigned</span>
              <span class="tile-value">
                {totals!.assigned} <small>/ {totals!.owned}</small>
              </span>
            </div>
          </div>

          <section>
            <h2>Seats by product</h2>
            {s.seats.products.length === 0 ? (
              <Empty>No contract in force: this organization owns no seats now.</Empty>
            ) : (
              <ScrollBox label="Seats by product"><table class="seats">
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col" class="num">Owned</th>
                    <th scope="col" class="num">Assigned</th>
                    <th scope="col" class="num">In use</th>
                    <th scope="col" class="num">Free</th>
                    <th scope="col" class="bar-col">
                      <span class="legend">
                        <i class="swatch inuse" /> in use <i class="swatch taken" /> assigned <i class="swatch free" /> free
                      </span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {s.seats.products.map((p) => (
                    <tr data-product={p.productCode} key={p.productCode}>
                      <th scope="row">
                        <span class="code">{p.productCode}</span> {p.productName}
                        <small class="muted">
                          {' '}
                          · {p.kind === 'service' ? 'service' : methods(p.productCode).map((m) => (m === 'serial' ? 'serial' : 'named user')).join(', ')}
                        </small>
                      </th>
                      {([['owned', p.owned], ['assigned', p.assigned], ['in-use', p.inUse], ['free', p.free]] as const).map(([col, n]) => (
                        <td class="num" data-col={col} key={col}>
                          {n}
                        </td>
                      ))}
                      <td class="bar-col">
                        <SeatBar label={p.productName} owned={p.owned} assigned={p.assigned} inUse={p.inUse} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table></ScrollBox>
            )}
          </section>
        </>
      )}

      <div class="two-col">
        <section class="feed-box">
          <h2>Activity</h2>
          {live.feed.length === 0 ? (
            <Empty>Nothing has happened since the server started. Grants, revocations, sign-ins and switches appear here as they happen.</Empty>
          ) : (
            <ol class="feed" aria-label="Activity feed" tabIndex={0}>
              {live.feed.map((f, i) => (
                <li key={`${f.at}-${i}`} data-kind={f.kind}>
                  <time dateTime={new Date(f.at).toISOString()}>{time(f.at)}</time>
                  <Badge kind={f.kind}>{feedLabel[f.kind]}</Badge>
                  <span class="text">{f.text}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
        <section class="chart-box" data-stored={stored.length}>
          <h2>Utilization, last 24 hours</h2>
          <ErrorNote error={usage.error} />
          {samples.length === 0 ? (
            <Empty>No usage recorded yet.</Empty>
          ) : (
            <UsageChart samples={samples} codes={codes} />
          )}
          {usage.data && (
            <p class="aside" data-last-sample={lastStored?.at}>
              {lastStored
                ? `The server records a sample every minute; the last at ${time(lastStored.at)}: ${plural(Object.values(lastStored.inUse).reduce((a, b) => a + b, 0), 'seat')} in use, ${plural(lastStored.devicesOnline, 'device')} online.`
                : 'The server records a sample every minute; none is stored yet.'}
            </p>
          )}
          <p class="aside">
            Manage seats on <Link href="/products">Products</Link>; see workstations on <Link href="/devices">Devices</Link>; peak and average use per day over
            90 days on <Link href="/reports/usage">Usage</Link>.
          </p>
        </section>
      </div>
    </div>
  );
}

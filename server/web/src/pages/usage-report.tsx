// Usage over 90 days: per product, the peak and average seats in use each day against the seats
// owned (what tells an admin to buy or to give seats back), as a chart, a table and a CSV file.
import { useState } from 'preact/hooks';
import type { UsageReport } from '../../../../shared/api/reports.js';
import { orgPath } from '../api.js';
import { Empty, ErrorNote, Loading, PageHeader, Select } from '../components.js';
import { useApi } from '../hooks.js';
import { useOrg } from '../session.js';
import { UsageDaysChart } from '../usage-days-chart.js';

const DAYS = 90;

export function UsageReportPage() {
  const org = useOrg();
  const report = useApi<UsageReport>(orgPath(org.orgId, `/reports/usage?days=${DAYS}`));
  const [chosen, setChosen] = useState<string | null>(null);
  const rows = report.data?.rows ?? [];
  const codes = [...new Set(rows.map((r) => r.productCode))].sort();
  const code = chosen && codes.includes(chosen) ? chosen : codes[0];
  const mine = rows.filter((r) => r.productCode === code);
  return (
    <div class="usage-report">
      <PageHeader title={`Usage over ${DAYS} days`}>
        <a class="button" href={orgPath(org.orgId, `/reports/usage?days=${DAYS}&format=csv`)} download>
          Download CSV
        </a>
      </PageHeader>
      <p class="aside">
        Seats in use are sampled every minute; each finished day (UTC) is kept as its peak and average per product, against the seats owned that day
        {report.data ? `, from ${report.data.from} to ${report.data.to}` : ''}.
      </p>
      <ErrorNote error={report.error} />
      {!report.data ? (
        !report.error && <Loading what="usage" />
      ) : !code ? (
        <Empty>No products yet: usage shows here once the organization holds a contract.</Empty>
      ) : (
        <section class="chart-box">
          <Select label="Product" name="product" value={code} onChange={(e) => setChosen(e.currentTarget.value)}>
            {codes.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </Select>
          <UsageDaysChart key={code} rows={mine} code={code} />
        </section>
      )}
    </div>
  );
}

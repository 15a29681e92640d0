// One product's seats per day over the report's days: the peak and the average in use against the
// seats owned, drawn with uPlot, and the same numbers as a table (the chart's text alternative).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { UsageDayRow } from '../../../shared/api/reports.js';
import { ScrollBox } from './components.js';

const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;
const percent = (r: UsageDayRow) => (r.owned > 0 ? `${Math.round((r.peak / r.owned) * 100)}%` : '—');

export function UsageDaysChart({ rows, code }: { rows: UsageDayRow[]; code: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data: uPlot.AlignedData = [rows.map((r) => dayStart(r.day)), rows.map((r) => r.peak), rows.map((r) => r.avg), rows.map((r) => r.owned)];

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth),
      height: 260,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(2, Math.ceil(max * 1.15))] } },
      axes: [{}, { label: 'seats', size: 50 }],
      series: [
        {},
        { label: 'Peak in use', stroke: '#1f5fa8', width: 2, paths: uPlot.paths.stepped!({ align: 1 }), points: { size: 4 } },
        { label: 'Average in use', stroke: '#2d8a4e', width: 1.5, points: { size: 3 } },
        { label: 'Owned', stroke: '#a83246', width: 1.5, dash: [6, 4], paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } },
      ],
      legend: { live: false },
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const width = Math.max(320, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height: 260 });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(data);
  });

  const from = rows[0]?.day ?? '';
  const to = rows.at(-1)?.day ?? '';
  return (
    <div class="chart-frame">
      <div
        class="chart usage-days-chart"
        ref={box}
        role="img"
        aria-label={`Seats of ${code} per day from ${from} to ${to}: peak and average in use against seats owned; the numbers follow in a table`}
        data-days={rows.length}
        data-product={code}
      />
      <UsageDaysTable rows={rows} code={code} />
    </div>
  );
}

/** Newest day first: the question is usually "lately". */
function UsageDaysTable({ rows, code }: { rows: UsageDayRow[]; code: string }) {
  return (
    <details class="chart-numbers" open>
      <summary>The numbers behind the chart</summary>
      <ScrollBox label={`Seats of ${code} per day`}>
        <table class="usage-days" data-product={code}>
          <caption>Seats of {code} per day (UTC), newest first; a day with no samples had no data (the server was down)</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" class="num">Peak in use</th>
              <th scope="col" class="num">Average in use</th>
              <th scope="col" class="num">Owned</th>
              <th scope="col" class="num">Peak / owned</th>
              <th scope="col" class="num">Samples</th>
            </tr>
          </thead>
          <tbody>
            {[...rows].reverse().map((r) => (
              <tr key={r.day} data-day={r.day}>
                <th scope="row">{r.day}</th>
                <td class="num" data-col="peak">{r.samples ? r.peak : '—'}</td>
                <td class="num" data-col="avg">{r.samples ? r.avg.toFixed(2) : '—'}</td>
                <td class="num" data-col="owned">{r.owned}</td>
                <td class="num" data-col="ratio">{r.samples ? percent(r) : '—'}</td>
                <td class="num" data-col="samples">{r.samples}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </details>
  );
}

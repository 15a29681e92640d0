// Seats in use over the last 24 hours, per product and in total, drawn with uPlot.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { UsageSampleView } from '../../../shared/api/usage.js';
import { ScrollBox } from './components.js';

const palette = ['#1f5fa8', '#c2571a', '#2d8a4e', '#8a3fa0', '#b8860b', '#0f7c8a', '#a83246'];
const DAY_S = 24 * 3600;

/**
 * The 24 hours up to now, or up to the newest sample should the server's clock run a little ahead.
 * Never further: what uPlot passes for a chart with nothing to draw (or a wild timestamp) must
 * not push the axis into the future (it once showed dates some 1,000 days ahead).
 */
function lastDay(newest: number | null | undefined): [number, number] {
  const now = Date.now() / 1000;
  // Whole seconds: a fractional end rounds apart from its start (x.5 - 86400 is x.4999…).
  const end = Math.ceil(typeof newest === 'number' && Number.isFinite(newest) && newest > now && newest - now < 3600 ? newest : now);
  return [end - DAY_S, end];
}

export function UsageChart({ samples, codes }: { samples: UsageSampleView[]; codes: string[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const data: uPlot.AlignedData = [
    sorted.map((s) => s.at / 1000),
    sorted.map((s) => Object.values(s.inUse).reduce((a, b) => a + b, 0)),
    ...codes.map((c) => sorted.map((s) => s.inUse[c] ?? 0)),
  ];
  const key = codes.join(',');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth),
      height: 240,
      scales: { x: { time: true, range: (_u, _min, max) => lastDay(max) }, y: { range: (_u, _min, max) => [0, Math.max(2, Math.ceil(max * 1.2))] } },
      axes: [{}, { label: 'seats in use', size: 50 }],
      series: [
        {},
        { label: 'All products', stroke: '#222', width: 2, paths: uPlot.paths.stepped!({ align: 1 }), points: { size: 5 } },
        ...codes.map((c, i) => ({ label: c, stroke: palette[i % palette.length]!, width: 1.5, paths: uPlot.paths.stepped!({ align: 1 }), points: { size: 4 } })),
      ],
      legend: { live: false },
      // The time span drawn, in seconds, on the element: what the axis shows, readable by tests.
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== 'x') return;
            el.dataset.xMin = String(Math.round(u.scales.x!.min ?? 0));
            el.dataset.xMax = String(Math.round(u.scales.x!.max ?? 0));
          },
        ],
      },
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const width = Math.max(320, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height: 240 });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when the products change; new samples go through setData below.
  }, [key]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return (
    <div class="chart-frame">
      <div class="chart" ref={box} role="img" aria-label={`Seats in use over the last 24 hours, ${samples.length} samples; the numbers follow the chart`} data-samples={samples.length} />
      <ChartNumbers samples={sorted} codes={codes} />
    </div>
  );
}

/** The chart's text alternative: per hour of the last 24, the most seats in use at once. */
function ChartNumbers({ samples, codes }: { samples: UsageSampleView[]; codes: string[] }) {
  const HOUR = 3600_000;
  const [from] = lastDay(samples.at(-1)?.at ? samples.at(-1)!.at / 1000 : null);
  const start = Math.floor((from * 1000) / HOUR) * HOUR + HOUR;
  const rows = Array.from({ length: 24 }, (_, i) => start + i * HOUR).map((at) => {
    const inHour = samples.filter((s) => s.at >= at && s.at < at + HOUR);
    const peak = (f: (s: UsageSampleView) => number) => (inHour.length ? Math.max(...inHour.map(f)) : null);
    return { at, total: peak((s) => Object.values(s.inUse).reduce((a, b) => a + b, 0)), per: codes.map((c) => peak((s) => s.inUse[c] ?? 0)) };
  });
  const hour = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return (
    <details class="chart-numbers">
      <summary>The numbers behind the chart</summary>
      <ScrollBox label="Seats in use per hour">
        <table>
          <caption>Most seats in use at once, per hour (— : no sample)</caption>
          <thead>
            <tr>
              <th scope="col">Hour</th>
              <th scope="col" class="num">
                All products
              </th>
              {codes.map((c) => (
                <th scope="col" class="num" key={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.at}>
                <th scope="row">
                  {hour(r.at)}–{hour(r.at + HOUR)}
                </th>
                <td class="num">{r.total ?? '—'}</td>
                {r.per.map((n, i) => (
                  <td class="num" key={codes[i]}>
                    {n ?? '—'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </details>
  );
}

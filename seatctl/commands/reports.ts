// `seatctl reports usage`: seats in use per product per day (peak, average) against seats owned.
import type { Command } from 'commander';
import type { Runtime } from '../context.js';
import { table } from '../output.js';
import { act, emit, positiveInt } from './shared.js';
import { registerCheckReports } from './check-reports.js';

interface Row {
  day: string;
  productCode: string;
  peak: number;
  avg: number;
  owned: number;
  samples: number;
}

export function registerReports(program: Command, rt: Runtime): void {
  const reports = program.command('reports').description('reports: usage per product per day, idle seats, refused checks');
  registerCheckReports(reports, rt);
  reports
    .command('usage')
    .description('peak and average seats in use per product per day against seats owned (UTC days)')
    .option('--days <n>', 'how many days back, today included (≤ 90)', positiveInt, 90)
    .option('--product <code>', 'only this product')
    .option('--csv', 'CSV as the server renders it')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(
      act(rt, async (ctx, o: { days: number; product?: string; csv?: boolean; out?: string }) => {
        const path = `${await ctx.base()}/reports/usage?days=${o.days}`;
        let text: string;
        if (o.csv) {
          text = await (await ctx.api.raw('GET', `${path}&format=csv`)).text();
          if (o.product) text = text.split('\r\n').filter((l, i) => i === 0 || l === '' || l.split(',')[1] === o.product).join('\r\n');
        } else {
          const r = await ctx.api.get<{ from: string; to: string; rows: Row[] }>(path);
          const rows = r.rows.filter((x) => !o.product || x.productCode === o.product);
          text = ctx.opts.json
            ? `${JSON.stringify({ ...r, rows }, null, 2)}\n`
            : table(rows, [
                ['day', (x) => x.day],
                ['product', (x) => x.productCode],
                ['peak', (x) => x.peak],
                ['avg', (x) => x.avg.toFixed(2)],
                ['owned', (x) => x.owned],
                ['peak/owned', (x) => (x.owned ? `${Math.round((x.peak / x.owned) * 100)}%` : '-')],
              ]);
        }
        await emit(ctx, text, o.out);
      }),
    );
}

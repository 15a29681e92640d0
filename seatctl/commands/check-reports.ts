// `seatctl reports idle` and `seatctl reports denials`: what the agents' counts of `check` say —
// seats nobody used for N days, and refused checks (who, where, product, why; per product per day).
import type { Command } from 'commander';
import type { Runtime } from '../context.js';
import { table, time } from '../output.js';
import { act, emit, positiveInt, wholeDays } from './shared.js';

interface IdleRow {
  assignmentId: string;
  email: string;
  productCode: string;
  contractNumber: string;
  assignedAt: number;
  lastUsedAt: number | null;
  idleDays: number;
}

interface DenialRow {
  day: string;
  hostname: string;
  email: string | null;
  user: string | null;
  productCode: string;
  reason: string;
  count: number;
  last: number;
}

/** Adds `idle` and `denials` under `reports`. */
export function registerCheckReports(reports: Command, rt: Runtime): void {
  reports
    .command('idle')
    .description('seats whose holder has not run the product for N days (from the agents; never used: since assigned); reclaim one with `seats reclaim`')
    .option('--days <n>', 'idle for at least this many days (0: every seat with its last use)', wholeDays, 30)
    .option('--csv', 'CSV as the server renders it')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(
      act(rt, async (ctx, o: { days: number; csv?: boolean; out?: string }) => {
        const path = `${await ctx.base()}/reports/idle-seats?days=${o.days}`;
        if (o.csv) return emit(ctx, await (await ctx.api.raw('GET', `${path}&format=csv`)).text(), o.out);
        const r = await ctx.api.get<{ days: number; asOf: number; rows: IdleRow[] }>(path);
        const text = ctx.opts.json
          ? `${JSON.stringify(r, null, 2)}\n`
          : table(r.rows, [
              ['assignment', (x) => x.assignmentId],
              ['member', (x) => x.email],
              ['product', (x) => x.productCode],
              ['contract', (x) => x.contractNumber],
              ['last used', (x) => (x.lastUsedAt === null ? 'never' : time(x.lastUsedAt))],
              ['idle days', (x) => x.idleDays],
            ]);
        await emit(ctx, text, o.out);
      }),
    );

  reports
    .command('denials')
    .description('refused checks reported by the agents: who, where, product, reason; with --per-day, counts per product per day')
    .option('--days <n>', 'how many days back, today included (≤ 90)', positiveInt, 30)
    .option('--product <code>', 'only this product')
    .option('--per-day', 'refusals per product per day instead of the records')
    .option('--csv', 'CSV as the server renders it')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(
      act(rt, async (ctx, o: { days: number; product?: string; perDay?: boolean; csv?: boolean; out?: string }) => {
        const q = new URLSearchParams({ days: String(o.days) });
        if (o.product) q.set('productCode', o.product.toUpperCase());
        const path = `${await ctx.base()}/reports/denials?${q}`;
        if (o.csv) return emit(ctx, await (await ctx.api.raw('GET', `${path}&format=csv`)).text(), o.out);
        const r = await ctx.api.get<{ total: number; threshold: number; rows: DenialRow[]; perDay: Array<{ day: string; productCode: string; count: number }> }>(path);
        const text = ctx.opts.json
          ? `${JSON.stringify(r, null, 2)}\n`
          : o.perDay
            ? table(r.perDay, [
                ['day', (x) => x.day],
                ['product', (x) => x.productCode],
                ['refused', (x) => x.count],
              ])
            : table(r.rows, [
                ['last', (x) => time(x.last)],
                ['product', (x) => x.productCode],
                ['reason', (x) => x.reason],
                ['count', (x) => x.count],
                ['workstation', (x) => x.hostname],
                ['member', (x) => x.email ?? '-'],
                ['local user', (x) => x.user ?? '-'],
              ]);
        await emit(ctx, text, o.out);
      }),
    );
}

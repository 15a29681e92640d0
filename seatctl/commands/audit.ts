// `seatctl audit`: the organization's audit log, newest first.
import type { Command } from 'commander';
import type { Runtime } from '../context.js';
import { table, time } from '../output.js';
import { act, positiveInt, timeArg } from './shared.js';

export function registerAudit(program: Command, rt: Runtime): void {
  program
    .command('audit')
    .description('audit events, newest first, filtered by time, actor, target and action')
    .option('--since <time>', 'from (ISO 8601 or epoch ms)', timeArg)
    .option('--until <time>', 'to (ISO 8601 or epoch ms)', timeArg)
    .option('--actor <accountId>', 'who did it')
    .option('--target <id>', 'what it was done to')
    .option('--action <action>', 'e.g. assignment.create')
    .option('--limit <n>', 'at most this many (≤ 1000)', positiveInt, 200)
    .action(
      act(rt, async (ctx, o: { since?: number; until?: number; actor?: string; target?: string; action?: string; limit: number }) => {
        const p = new URLSearchParams({ limit: String(o.limit) });
        if (o.since !== undefined) p.set('from', String(o.since));
        if (o.until !== undefined) p.set('to', String(o.until));
        if (o.actor) p.set('actor', o.actor);
        if (o.target) p.set('target', o.target);
        if (o.action) p.set('action', o.action);
        const r = await ctx.api.get<{ events: Array<{ id: string; at: number; actor: string; action: string; target: string }> }>(`${await ctx.base()}/audit?${p}`);
        ctx.print(r, () =>
          table(r.events, [
            ['at', (e) => time(e.at)],
            ['actor', (e) => e.actor],
            ['action', (e) => e.action],
            ['target', (e) => e.target],
          ]),
        );
      }),
    );
}

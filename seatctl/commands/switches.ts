// `seatctl switches`: activation-method switches of a contract line (plan, apply, schedule, list, cancel).
import type { Command } from 'commander';
import type { Runtime } from '../context.js';
import { table, time } from '../output.js';
import { act, oneOf, timeArg } from './shared.js';

const methods = ['serial', 'named-user'] as const;

interface Plan {
  productCode: string;
  from: string;
  to: string;
  seats: number;
  assigned: number;
  wouldAssign: Array<{ email: string }>;
  losesAccess: { devices: Array<{ hostname: string; email: string | null }>; users: Array<{ email: string }> };
}

function planText(p: Plan): string {
  const lines = [`${p.productCode}: ${p.from} → ${p.to} (${p.assigned}/${p.seats} seats assigned)`];
  lines.push(`would assign: ${p.wouldAssign.map((x) => x.email).join(', ') || 'nobody'}`);
  lines.push(`users losing access: ${p.losesAccess.users.map((x) => x.email).join(', ') || 'none'}`);
  lines.push(`devices losing access: ${p.losesAccess.devices.map((d) => d.hostname + (d.email ? ` (${d.email})` : '')).join(', ') || 'none'}`);
  return `${lines.join('\n')}\n`;
}

export function registerSwitches(program: Command, rt: Runtime): void {
  const sw = program.command('switches').description('activation-method switches: plan, apply, schedule, list, cancel');
  const common = (c: Command) =>
    c
      .argument('<lineId>', 'the contract line (see `seats list`)')
      .requiredOption('--to <method>', 'serial or named-user', oneOf(methods))
      .option('--auto-assign', 'give seats to the people using the product now, as far as seats allow');

  common(sw.command('plan').description('who and what would lose access, and whom auto-assign would give seats; changes nothing')).action(
    act(rt, async (ctx, lineId: string, o: { to: string; autoAssign?: boolean }) => {
      const p = await ctx.api.post<Plan>(`${await ctx.base()}/lines/${encodeURIComponent(lineId)}/switch/plan`, { to: o.to, autoAssign: !!o.autoAssign });
      ctx.print(p, () => planText(p));
    }),
  );

  common(sw.command('apply').description('switch the method now: agents get the new method, grants and revokes at once')).action(
    act(rt, async (ctx, lineId: string, o: { to: string; autoAssign?: boolean }) => {
      const r = await ctx.api.post<{ switch: { id: string; status: string }; plan: Plan }>(`${await ctx.base()}/lines/${encodeURIComponent(lineId)}/switch/apply`, {
        to: o.to,
        autoAssign: !!o.autoAssign,
      });
      ctx.print(r, () => `Switch ${r.switch.id}: ${r.switch.status}.\n${planText(r.plan)}`);
    }),
  );

  common(sw.command('schedule').description('switch the method at a set time'))
    .requiredOption('--at <time>', 'when: ISO 8601 (e.g. 2026-12-31T18:00:00Z) or epoch milliseconds', timeArg)
    .action(
      act(rt, async (ctx, lineId: string, o: { to: string; autoAssign?: boolean; at: number }) => {
        const r = await ctx.api.post<{ switch: { id: string; status: string; runAt: number | null }; plan: Plan }>(
          `${await ctx.base()}/lines/${encodeURIComponent(lineId)}/switch/apply`,
          { to: o.to, autoAssign: !!o.autoAssign, runAt: o.at },
        );
        ctx.print(r, () => `Switch ${r.switch.id}: ${r.switch.status}${r.switch.runAt ? ` for ${time(r.switch.runAt)}` : ''}.\n${planText(r.plan)}`);
      }),
    );

  sw.command('list')
    .description('switches, scheduled and done, newest first')
    .action(
      act(rt, async (ctx) => {
        const r = await ctx.api.get<{ switches: Array<{ id: string; lineId: string; productCode: string | null; from: string; to: string; status: string; runAt: number | null; appliedAt: number | null }> }>(
          `${await ctx.base()}/switches`,
        );
        ctx.print(r, () =>
          table(r.switches, [
            ['id', (s) => s.id],
            ['line', (s) => s.lineId],
            ['product', (s) => s.productCode],
            ['from', (s) => s.from],
            ['to', (s) => s.to],
            ['status', (s) => s.status],
            ['run at', (s) => time(s.runAt)],
            ['applied', (s) => time(s.appliedAt)],
          ]),
        );
      }),
    );

  sw.command('cancel')
    .description('cancel a scheduled switch')
    .argument('<switchId>')
    .action(
      act(rt, async (ctx, id: string) => {
        const r = await ctx.api.del(`${await ctx.base()}/switches/${encodeURIComponent(id)}`);
        ctx.print(r, () => `Cancelled ${id}.\n`);
      }),
    );
}

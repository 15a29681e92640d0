// `seatctl seats`: the seat summary and assignments (list, assign, unassign, reassign).
import type { Command } from 'commander';
import type { Ctx, Runtime } from '../context.js';
import { CliError, EXIT_REFUSED, usage } from '../errors.js';
import { table, time } from '../output.js';
import { act, wholeDays } from './shared.js';

interface LineSeats {
  lineId: string;
  contractNumber: string;
  productCode: string;
  method: string;
  active: boolean;
  owned: number;
  assigned: number;
  inUse: number;
  free: number;
}

interface AssignmentView {
  id: string;
  lineId: string;
  contractNumber: string;
  productCode: string;
  email: string;
  accountId: string;
  assignedAt: number;
}

/** The line to assign from: --line, or the active line of --product with a free seat. */
async function lineFor(ctx: Ctx, o: { line?: string; product?: string }): Promise<string> {
  if (o.line) return o.line;
  if (!o.product) throw usage('pass --line <lineId> or --product <code>');
  const s = await ctx.api.get<{ lines: LineSeats[] }>(`${await ctx.base()}/seats`);
  const lines = s.lines.filter((l) => l.productCode === o.product && l.active);
  if (!lines.length) throw new CliError(EXIT_REFUSED, `no active contract line of ${o.product}`, 'NOT_FOUND');
  return (lines.find((l) => l.free > 0) ?? lines[0]!).lineId;
}

export function registerSeats(program: Command, rt: Runtime): void {
  const seats = program.command('seats').description('seats: summary per line, assignments, assign, unassign, reassign');

  seats
    .command('list')
    .description('seats per contract line: owned, assigned, in use now, free; with --assignments, who holds them')
    .option('--assignments', 'list the assignments instead')
    .option('--product <code>', 'only this product')
    .option('--member <member>', 'only this member (id or email; with --assignments)')
    .action(
      act(rt, async (ctx, o: { assignments?: boolean; product?: string; member?: string }) => {
        if (o.assignments) {
          const p = new URLSearchParams();
          if (o.product) p.set('productCode', o.product);
          if (o.member) p.set('accountId', await ctx.memberId(o.member));
          const r = await ctx.api.get<{ assignments: AssignmentView[] }>(`${await ctx.base()}/assignments${p.size ? `?${p}` : ''}`);
          ctx.print(r, () =>
            table(r.assignments, [
              ['id', (a) => a.id],
              ['product', (a) => a.productCode],
              ['contract', (a) => a.contractNumber],
              ['line', (a) => a.lineId],
              ['member', (a) => a.email],
              ['since', (a) => time(a.assignedAt)],
            ]),
          );
          return;
        }
        const r = await ctx.api.get<{ lines: LineSeats[] }>(`${await ctx.base()}/seats`);
        const lines = r.lines.filter((l) => !o.product || l.productCode === o.product);
        ctx.print(o.product ? { ...r, lines } : r, () =>
          table(lines, [
            ['line', (l) => l.lineId],
            ['product', (l) => l.productCode],
            ['contract', (l) => l.contractNumber],
            ['method', (l) => l.method],
            ['active', (l) => (l.active ? 'yes' : 'no')],
            ['owned', (l) => l.owned],
            ['assigned', (l) => l.assigned],
            ['in use', (l) => l.inUse],
            ['free', (l) => l.free],
          ]),
        );
      }),
    );

  seats
    .command('assign')
    .description('give a member a seat of a contract line (or of a product: its line with a free seat)')
    .argument('<member>', 'account id or email')
    .option('--line <lineId>', 'the contract line')
    .option('--product <code>', 'the product (its active line with a free seat)')
    .action(
      act(rt, async (ctx, ref: string, o: { line?: string; product?: string }) => {
        const lineId = await lineFor(ctx, o);
        const accountId = await ctx.memberId(ref);
        const r = await ctx.api.post<AssignmentView>(`${await ctx.base()}/assignments`, { lineId, accountId });
        ctx.print(r, () => `Assigned ${r.productCode} (contract ${r.contractNumber}) to ${r.email}: assignment ${r.id}.\n`);
      }),
    );

  seats
    .command('unassign')
    .description("take a seat back; the holder's devices lose the lease at once")
    .argument('<assignmentId>', 'the assignment (see `seats list --assignments`)')
    .action(
      act(rt, async (ctx, id: string) => {
        const r = await ctx.api.del(`${await ctx.base()}/assignments/${encodeURIComponent(id)}`);
        ctx.print(r, () => `Unassigned ${id}.\n`);
      }),
    );

  seats
    .command('reclaim')
    .description('take back an idle seat (see `reports idle`): unassign it and tell the holder by mail')
    .argument('<assignmentId>', 'the assignment')
    .option('--idle-days <n>', 'refuse unless the seat is still idle this many days', wholeDays)
    .action(
      act(rt, async (ctx, id: string, o: { idleDays?: number }) => {
        const r = await ctx.api.post<{ productCode: string; accountId: string; idleDays: number }>(
          `${await ctx.base()}/reports/idle-seats/${encodeURIComponent(id)}/reclaim`,
          o.idleDays === undefined ? {} : { idleDays: o.idleDays },
        );
        ctx.print(r, () => `Reclaimed ${r.productCode} (${id}), idle ${r.idleDays} days; the holder was told by mail.
`);
      }),
    );

  seats
    .command('reassign')
    .description('move a seat to another member in one step')
    .argument('<assignmentId>', 'the assignment')
    .argument('<member>', 'the new holder: account id or email')
    .action(
      act(rt, async (ctx, id: string, ref: string) => {
        const accountId = await ctx.memberId(ref);
        const r = await ctx.api.post<AssignmentView>(`${await ctx.base()}/assignments/${encodeURIComponent(id)}/reassign`, { accountId });
        ctx.print(r, () => `Reassigned ${r.productCode} to ${r.email}: assignment ${r.id}.\n`);
      }),
    );
}

// `seatctl export`: members, assignments and devices as CSV files (or stdout), for spreadsheets.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Ctx, Runtime } from '../context.js';
import { csv } from '../output.js';
import { act, timeArg } from './shared.js';

async function emit(ctx: Ctx, out: string | undefined, text: string, rows: number): Promise<void> {
  if (!out || out === '-') return ctx.io.out(text);
  await writeFile(out, text, { mode: 0o600 });
  ctx.io.err(`Wrote ${rows} row(s) to ${out}.\n`);
}

export function registerExports(program: Command, rt: Runtime): void {
  const ex = program.command('export').description('export members, assignments, devices or the audit log as CSV');

  ex.command('audit')
    .description('the audit log as CSV, newest first (as the server renders it)')
    .option('--since <time>', 'from (ISO 8601 or epoch ms)', timeArg)
    .option('--until <time>', 'to (ISO 8601 or epoch ms)', timeArg)
    .option('--action <action>', 'only this action, e.g. assignment.create')
    .option('--out <file>', 'write here instead of stdout')
    .action(
      act(rt, async (ctx, o: { since?: number; until?: number; action?: string; out?: string }) => {
        const p = new URLSearchParams();
        if (o.since !== undefined) p.set('from', String(o.since));
        if (o.until !== undefined) p.set('to', String(o.until));
        if (o.action) p.set('action', o.action);
        const text = await (await ctx.api.raw('GET', `${await ctx.base()}/reports/audit.csv${p.size ? `?${p}` : ''}`)).text();
        await emit(ctx, o.out, text, Math.max(0, text.split('\r\n').length - 2));
      }),
    );

  ex.command('members')
    .description('members: email, name, role, teams, products')
    .option('--out <file>', 'write here instead of stdout')
    .action(
      act(rt, async (ctx, o: { out?: string }) => {
        const r = await ctx.api.get<{ members: Array<{ accountId: string; email: string; name: string; role: string; teams: Array<{ name: string }>; assignments: Array<{ productCode: string }>; joinedAt: number }> }>(
          `${await ctx.base()}/members`,
        );
        const rows = r.members.map((m) => [m.email, m.name, m.role, m.teams.map((t) => t.name).join(';'), m.assignments.map((a) => a.productCode).join(';'), m.accountId, new Date(m.joinedAt).toISOString()]);
        await emit(ctx, o.out, csv(['email', 'name', 'role', 'team', 'products', 'account_id', 'joined_at'], rows), rows.length);
      }),
    );

  ex.command('assignments')
    .description('seat assignments: email, product, contract, line, since')
    .option('--out <file>', 'write here instead of stdout')
    .action(
      act(rt, async (ctx, o: { out?: string }) => {
        const r = await ctx.api.get<{ assignments: Array<{ id: string; email: string; productCode: string; contractNumber: string; lineId: string; assignedAt: number }> }>(
          `${await ctx.base()}/assignments`,
        );
        const rows = r.assignments.map((a) => [a.email, a.productCode, a.contractNumber, a.lineId, a.id, new Date(a.assignedAt).toISOString()]);
        await emit(ctx, o.out, csv(['email', 'product', 'contract', 'line_id', 'assignment_id', 'assigned_at'], rows), rows.length);
      }),
    );

  ex.command('devices')
    .description('workstations: id, host, state, last seen, user')
    .option('--out <file>', 'write here instead of stdout')
    .action(
      act(rt, async (ctx, o: { out?: string }) => {
        const r = await ctx.api.get<{ devices: Array<{ id: string; hostname: string; agentVersion: string; online: boolean; revokedAt: number | null; lastSeenAt: number | null; signedInAccount: { email?: string } | null }> }>(
          `${await ctx.base()}/devices`,
        );
        const rows = r.devices.map((d) => [d.id, d.hostname, d.agentVersion, d.revokedAt ? 'revoked' : d.online ? 'online' : 'offline', d.lastSeenAt ? new Date(d.lastSeenAt).toISOString() : '', d.signedInAccount?.email ?? '']);
        await emit(ctx, o.out, csv(['device_id', 'hostname', 'agent_version', 'state', 'last_seen_at', 'user'], rows), rows.length);
      }),
    );
}

// `seatctl members`: list, invite, remove, role.
import type { Command } from 'commander';
import type { Runtime } from '../context.js';
import { table, time } from '../output.js';
import { act, collect, oneOf } from './shared.js';

const roles = ['owner', 'admin', 'member'] as const;

interface Member {
  accountId: string;
  email: string;
  name: string;
  role: string;
  teams: Array<{ name: string }>;
  assignments: Array<{ productCode: string }>;
  joinedAt: number;
}

export function registerMembers(program: Command, rt: Runtime): void {
  const members = program.command('members').description('members of the organization: list, invite, remove, change role');

  members
    .command('list')
    .description('list members, optionally filtered')
    .option('--search <text>', 'substring of the name or email')
    .option('--role <role>', 'owner, admin or member', oneOf(roles))
    .option('--team <teamId>', 'members of this team')
    .action(
      act(rt, async (ctx, o: { search?: string; role?: string; team?: string }) => {
        const p = new URLSearchParams();
        if (o.search) p.set('q', o.search);
        if (o.role) p.set('role', o.role);
        if (o.team) p.set('teamId', o.team);
        const r = await ctx.api.get<{ members: Member[] }>(`${await ctx.base()}/members${p.size ? `?${p}` : ''}`);
        ctx.print(r, () =>
          table(r.members, [
            ['id', (m) => m.accountId],
            ['email', (m) => m.email],
            ['name', (m) => m.name],
            ['role', (m) => m.role],
            ['teams', (m) => (m.teams ?? []).map((t) => t.name)],
            ['seats', (m) => (m.assignments ?? []).map((a) => a.productCode)],
            ['joined', (m) => time(m.joinedAt)],
          ]),
        );
      }),
    );

  members
    .command('invite')
    .description('invite an email with a role, optionally into a team and with seats of contract lines')
    .argument('<email>', 'who to invite')
    .option('--role <role>', 'owner, admin or member', oneOf(roles), 'member')
    .option('--team <teamId>', 'the team to join')
    .option('--line <lineId>', 'a contract line to give a seat of on acceptance (repeatable)', collect)
    .action(
      act(rt, async (ctx, email: string, o: { role: string; team?: string; line?: string[] }) => {
        const r = await ctx.api.post<{ id: string; email: string; expiresAt: number }>(`${await ctx.base()}/invitations`, {
          email,
          role: o.role,
          ...(o.team ? { teamId: o.team } : {}),
          ...(o.line?.length ? { lineIds: o.line } : {}),
        });
        ctx.print(r, () => `Invited ${r.email} (invitation ${r.id}, expires ${time(r.expiresAt)}).\n`);
      }),
    );

  members
    .command('remove')
    .description('remove a member: their seats end and they leave every team (never the last admin)')
    .argument('<member>', 'account id or email')
    .action(
      act(rt, async (ctx, ref: string) => {
        const id = await ctx.memberId(ref);
        const r = await ctx.api.del<{ endedAssignments: string[]; leftTeams: string[] }>(`${await ctx.base()}/members/${encodeURIComponent(id)}`);
        ctx.print(r, () => `Removed ${ref}: ${r.endedAssignments.length} seat(s) ended, left ${r.leftTeams.length} team(s).\n`);
      }),
    );

  members
    .command('role')
    .description('appoint or demote a member: owner, admin or member')
    .argument('<member>', 'account id or email')
    .argument('<role>', 'owner, admin or member', oneOf(roles))
    .action(
      act(rt, async (ctx, ref: string, role: string) => {
        const id = await ctx.memberId(ref);
        const r = await ctx.api.put<{ before: string; role: string }>(`${await ctx.base()}/members/${encodeURIComponent(id)}/role`, { role });
        ctx.print(r, () => `${ref}: ${r.before} → ${r.role}.\n`);
      }),
    );
}

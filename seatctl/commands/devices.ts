// `seatctl devices` and `seatctl enrollment-tokens`: workstations and the tokens that enroll them.
import type { Command } from 'commander';
import type { Runtime } from '../context.js';
import { table, time } from '../output.js';
import { act, positiveInt } from './shared.js';

interface DeviceView {
  id: string;
  hostname: string;
  os: { platform?: string } | string;
  agentVersion: string;
  lastSeenAt: number | null;
  online: boolean;
  revokedAt: number | null;
  signedInAccount: { email?: string } | null;
  leases: Array<{ productCode: string }>;
}

const osName = (os: DeviceView['os']) => (typeof os === 'string' ? os : (os?.platform ?? '-'));

export function registerDevices(program: Command, rt: Runtime): void {
  const devices = program.command('devices').description('enrolled workstations: list, show, revoke, rescan');

  devices
    .command('list')
    .description('enrolled workstations: online or not, last seen, signed-in user, leases')
    .action(
      act(rt, async (ctx) => {
        const r = await ctx.api.get<{ devices: DeviceView[] }>(`${await ctx.base()}/devices`);
        ctx.print(r, () =>
          table(r.devices, [
            ['id', (d) => d.id],
            ['host', (d) => d.hostname],
            ['os', (d) => osName(d.os)],
            ['agent', (d) => d.agentVersion],
            ['state', (d) => (d.revokedAt ? 'revoked' : d.online ? 'online' : 'offline')],
            ['last seen', (d) => time(d.lastSeenAt)],
            ['user', (d) => d.signedInAccount?.email],
            ['leases', (d) => d.leases.map((l) => l.productCode)],
          ]),
        );
      }),
    );

  devices
    .command('show')
    .description('one workstation in detail (as JSON)')
    .argument('<deviceId>')
    .action(
      act(rt, async (ctx, id: string) => {
        const d = await ctx.api.get(`${await ctx.base()}/devices/${encodeURIComponent(id)}`);
        ctx.io.out(`${JSON.stringify(d, null, 2)}\n`);
      }),
    );

  devices
    .command('revoke')
    .description('revoke a workstation: its leases go at once and it can no longer connect')
    .argument('<deviceId>')
    .action(
      act(rt, async (ctx, id: string) => {
        const r = await ctx.api.post(`${await ctx.base()}/devices/${encodeURIComponent(id)}/revoke`);
        ctx.print(r, () => `Revoked ${id}.\n`);
      }),
    );

  devices
    .command('rescan')
    .description('ask a workstation to scan for installed products now')
    .argument('<deviceId>')
    .action(
      act(rt, async (ctx, id: string) => {
        const r = await ctx.api.post<{ online: boolean }>(`${await ctx.base()}/devices/${encodeURIComponent(id)}/rescan`);
        ctx.print(r, () => (r.online ? `Asked ${id} to rescan.\n` : `${id} is offline; it rescans when it next connects.\n`));
      }),
    );

  const tokens = program.command('enrollment-tokens').alias('tokens').description('enrollment tokens for workstations: list, create, revoke');

  tokens
    .command('list')
    .description('enrollment tokens (never their secrets), newest first')
    .action(
      act(rt, async (ctx) => {
        const r = await ctx.api.get<{ tokens: Array<{ id: string; name: string; status: string; uses: number; createdAt: number; expiresAt: number }> }>(
          `${await ctx.base()}/enrollment-tokens`,
        );
        ctx.print(r, () =>
          table(r.tokens, [
            ['id', (t) => t.id],
            ['name', (t) => t.name],
            ['status', (t) => t.status],
            ['uses', (t) => t.uses],
            ['created', (t) => time(t.createdAt)],
            ['expires', (t) => time(t.expiresAt)],
          ]),
        );
      }),
    );

  tokens
    .command('create')
    .description('create an enrollment token; the secret and an install command are shown once')
    .argument('<name>', 'what the rollout is, e.g. "Design floor 2"')
    .option('--hours <n>', 'valid for this many hours (at most 2160)', positiveInt, 72)
    .action(
      act(rt, async (ctx, name: string, o: { hours: number }) => {
        const r = await ctx.api.post<{ id: string; token: string; installCommand: string; expiresAt: number }>(`${await ctx.base()}/enrollment-tokens`, {
          name,
          expiresInHours: o.hours,
        });
        ctx.print(r, () => `Token ${r.id} (expires ${time(r.expiresAt)}); shown once:\n${r.token}\nInstall with:\n${r.installCommand}\n`);
      }),
    );

  tokens
    .command('revoke')
    .description('revoke an enrollment token; devices enrolled with it stay enrolled')
    .argument('<tokenId>')
    .action(
      act(rt, async (ctx, id: string) => {
        const r = await ctx.api.del(`${await ctx.base()}/enrollment-tokens/${encodeURIComponent(id)}`);
        ctx.print(r, () => `Revoked ${id}.\n`);
      }),
    );
}
